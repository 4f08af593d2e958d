package groupcall

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/outdial/outdial"
)

// recordingCallID finds the call id in a recording path as the SIP backend names it:
// recordings/YYYY-MM-DD/<YYYYMMDDhhmmss>_<callee>_<callid>.wav.
var recordingCallID = regexp.MustCompile(`_([0-9]{1,19})\.wav$`)

// recordingCall returns the tenant's call whose recording is path. A path of another
// tenant's call, or of no call, is not found alike.
func (h *Handler) recordingCall(ctx context.Context, tenantID int64, path string) (*outdial.Call, error) {
	missing := outdial.Errorf(outdial.ENOTFOUND, "recording %q not found", cut(path, 200))
	m := recordingCallID.FindStringSubmatch(path)
	if m == nil || h.recordings == nil {
		return nil, missing
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return nil, missing
	}
	c, err := h.store.Call(ctx, tenantID, id)
	switch {
	case outdial.ErrorCode(err) == outdial.ENOTFOUND:
		return nil, missing
	case err != nil:
		return nil, err
	case c.Recording == "" || c.Recording != path:
		return nil, missing
	}
	return c, nil
}

// recordDownload streams the recording at data.path (a path from record-list) to its
// owner: the token's tenant. Its success is the WAV file, not the envelope.
func (h *Handler) recordDownload(w http.ResponseWriter, r *http.Request, t *outdial.Tenant, data json.RawMessage) error {
	path, err := parsePath(data)
	if err != nil {
		return err
	}
	c, err := h.recordingCall(r.Context(), t.ID, path)
	if err != nil {
		return err
	}
	f, st, err := h.recordings.Open(c.Recording)
	if err != nil {
		// The call names a recording whose file is gone: not found, in the envelope.
		return outdial.Errorf(outdial.ENOTFOUND, "recording %q not found", cut(path, 200))
	}
	defer f.Close()
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Type", "audio/wav")
	http.ServeContent(w, r, filepath.Base(c.Recording), st.ModTime(), f)
	return nil
}

// recordURL answers a signed link to the recording at data.path, which works without the
// token until it expires (7 days), for players and browsers.
func (h *Handler) recordURL(w http.ResponseWriter, r *http.Request, t *outdial.Tenant, data json.RawMessage) error {
	path, err := parsePath(data)
	if err != nil {
		return err
	}
	c, err := h.recordingCall(r.Context(), t.ID, path)
	if err != nil {
		return err
	}
	h.ok(w, r, "success", map[string]string{"url": h.recordings.URL(t.ID, c.ID)})
	return nil
}
