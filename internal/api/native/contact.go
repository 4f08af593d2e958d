package native

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/phoneinfo"
)

// contactOut is a contact: what was uploaded (phone normalised), the number's location
// and its dialing state.
type contactOut struct {
	ID            int64             `json:"id"`
	TaskID        int64             `json:"task_id"`
	BatchID       int64             `json:"batch_id"`
	Phone         string            `json:"phone"`
	Name          string            `json:"name"`
	Address       string            `json:"address"`
	Email         string            `json:"email"`
	State         string            `json:"state"`
	CallbackURL   string            `json:"callback_url"`
	ExternalID    string            `json:"external_id"`
	Variables     map[string]string `json:"variables"`
	Priority      int               `json:"priority"`
	AreaCode      string            `json:"area_code"`
	AreaName      string            `json:"area_name"`
	NumberType    string            `json:"number_type"`
	Carrier       string            `json:"carrier"`
	Status        string            `json:"status" enum:"pending,dialing,finished"`
	Attempts      int               `json:"attempts"`
	NextAttemptAt *time.Time        `json:"next_attempt_at"`
	LastResult    string            `json:"last_result"`
	LastCallID    *string           `json:"last_call_id"`
	CreatedAt     *time.Time        `json:"created_at"`
	UpdatedAt     *time.Time        `json:"updated_at"`
}

func showContact(c *outdial.Contact) contactOut {
	out := contactOut{ID: c.ID, TaskID: c.TaskID, BatchID: c.BatchID, Phone: c.Phone, Name: c.Name, Address: c.Address,
		Email: c.Email, State: c.State, CallbackURL: c.CallbackURL, ExternalID: c.ExternalID, Variables: c.Variables,
		Priority: c.Priority, AreaCode: c.AreaCode, AreaName: c.AreaName, NumberType: c.Type, Carrier: c.Carrier,
		Status: string(c.Status), Attempts: c.Attempts, NextAttemptAt: ts(c.NextAttemptAt), LastResult: string(c.LastResult),
		CreatedAt: ts(c.CreatedAt), UpdatedAt: ts(c.UpdatedAt)}
	if out.Variables == nil {
		out.Variables = map[string]string{}
	}
	if c.LastCallID != 0 {
		id := strconv.FormatInt(c.LastCallID, 10)
		out.LastCallID = &id
	}
	return out
}

// contactFilter reads the contact list's filters.
func contactFilter(q url.Values, pg outdial.Page) (outdial.ContactFilter, error) {
	f := outdial.ContactFilter{Status: outdial.ContactStatus(q.Get("status")), Page: pg}
	var err error
	if f.TaskID, err = queryID(q, "task_id"); err != nil {
		return f, err
	}
	if f.BatchID, err = queryID(q, "batch_id"); err != nil {
		return f, err
	}
	switch f.Status {
	case "", outdial.ContactPending, outdial.ContactDialing, outdial.ContactFinished:
	default:
		return f, outdial.FieldErrorf("status", "status must be pending, dialing or finished")
	}
	if p := q.Get("phone"); p != "" {
		if f.Phone, err = phoneinfo.Normalize(p); err != nil {
			return f, outdial.FieldErrorf("phone", "phone %q is not a valid number", p)
		}
	}
	return f, nil
}

func (h *Handler) contacts() *resource[outdial.Contact, struct{}, contactOut] {
	s := h.store
	return &resource[outdial.Contact, struct{}, contactOut]{
		h: h, noun: "contact", nouns: "contacts", path: "/api/v1/contacts",
		filters: []param{
			{name: "task_id", typ: "integer", desc: "only the contacts of this task"},
			{name: "batch_id", typ: "integer", desc: "only the contacts of this batch"},
			{name: "phone", typ: "string", desc: "only this number, in any form (normalised before matching)"},
			{name: "status", typ: "string", desc: "only contacts in this dialing state", enum: []string{"pending", "dialing", "finished"}},
		},
		list: func(ctx context.Context, tenantID int64, q url.Values, pg outdial.Page) ([]*outdial.Contact, error) {
			f, err := contactFilter(q, pg)
			if err != nil {
				return nil, err
			}
			return s.Contacts(ctx, tenantID, f)
		},
		get:    s.Contact,
		remove: s.DeleteContact,
		show:   showContact,
		key:    func(c *outdial.Contact) int64 { return c.ID },
	}
}
