package native

import (
	"net/http"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/phoneinfo"
)

// blockedIn is the body of POST /api/v1/blocklist: a number in any form (it is
// normalised) and why it must not be called.
type blockedIn struct {
	Phone  string `json:"phone"`
	Reason string `json:"reason"`
}

// blockedOut is a blocked number, normalised.
type blockedOut struct {
	Phone     string     `json:"phone"`
	Reason    string     `json:"reason"`
	CreatedAt *time.Time `json:"created_at"`
}

func (h *Handler) blocklistRoutes() []route {
	return []route{
		{method: "GET", pattern: "/api/v1/blocklist", summary: "List blocked numbers, in number order", list: true,
			out: blockedOut{}, query: pageParams, handle: h.listBlocked},
		{method: "POST", pattern: "/api/v1/blocklist", summary: "Block a number (or change the reason of a blocked one)",
			in: blockedIn{}, out: blockedOut{}, status: http.StatusCreated, handle: h.blockNumber},
		{method: "DELETE", pattern: "/api/v1/blocklist/{phone}", summary: "Unblock a number, given in any form",
			status: http.StatusNoContent, handle: h.unblockNumber},
	}
}

// parseBlocked decodes and checks a blocklist body.
func parseBlocked(in *blockedIn, b *outdial.BlockedNumber) error {
	if in.Phone == "" {
		return outdial.FieldErrorf("phone", "phone is required")
	}
	n, err := phoneinfo.Normalize(in.Phone)
	if err != nil {
		return outdial.FieldErrorf("phone", "phone %q is not a valid number", cutText(in.Phone, 64))
	}
	if len(in.Reason) > 500 {
		return outdial.FieldErrorf("reason", "reason must be at most 500 bytes")
	}
	b.Phone, b.Reason = n, in.Reason
	return nil
}

func (h *Handler) listBlocked(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	q := r.URL.Query()
	n, err := listLimit(q)
	if err != nil {
		return err
	}
	after, err := cursorKey(q)
	if err != nil {
		return err
	}
	list, err := h.store.BlockedNumbers(r.Context(), t.ID, after, n)
	if err != nil {
		return err
	}
	p := page[blockedOut]{Data: make([]blockedOut, 0, len(list))}
	for _, b := range list {
		p.Data = append(p.Data, blockedOut{Phone: b.Phone, Reason: b.Reason, CreatedAt: ts(b.CreatedAt)})
	}
	if len(list) > 0 && len(list) >= n {
		p.NextCursor = makeCursor(list[len(list)-1].Phone)
	}
	h.writeJSON(w, r, http.StatusOK, p)
	return nil
}

func (h *Handler) blockNumber(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	var in blockedIn
	if err := decodeBody(r.Body, &in); err != nil {
		return err
	}
	b := &outdial.BlockedNumber{TenantID: t.ID}
	if err := parseBlocked(&in, b); err != nil {
		return err
	}
	if err := h.store.BlockNumber(r.Context(), b); err != nil {
		return err
	}
	h.writeJSON(w, r, http.StatusCreated, blockedOut{Phone: b.Phone, Reason: b.Reason, CreatedAt: ts(b.CreatedAt)})
	return nil
}

func (h *Handler) unblockNumber(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	n, err := phoneinfo.Normalize(r.PathValue("phone"))
	if err != nil {
		return notFound("blocked number")
	}
	if err := h.store.UnblockNumber(r.Context(), t.ID, n); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// cutText shortens s to at most n bytes for a message.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n] + "..."
}
