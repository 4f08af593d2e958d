package native

import (
	"context"
	"net/url"
	"time"

	"github.com/outdial/outdial"
)

// lineIn is the body of line create and update. Password is write-only; an empty or
// absent password on update keeps the stored one.
type lineIn struct {
	Name           string   `json:"name"`
	Gateway        string   `json:"gateway"`
	Transport      string   `json:"transport"`
	Username       string   `json:"username"`
	Password       string   `json:"password"`
	CallerNumbers  []string `json:"caller_numbers"`
	Concurrency    int      `json:"concurrency"`
	CallsPerSecond float64  `json:"calls_per_second"`
	ValidFrom      *string  `json:"valid_from"`
	ValidUntil     *string  `json:"valid_until"`
}

// lineOut is a line, without its password.
type lineOut struct {
	ID             int64      `json:"id"`
	UUID           string     `json:"uuid"`
	Name           string     `json:"name"`
	Gateway        string     `json:"gateway"`
	Transport      string     `json:"transport" enum:"udp,tcp"`
	Username       string     `json:"username"`
	HasPassword    bool       `json:"has_password"`
	CallerNumbers  []string   `json:"caller_numbers"`
	Concurrency    int        `json:"concurrency"`
	CallsPerSecond float64    `json:"calls_per_second"`
	ValidFrom      *time.Time `json:"valid_from"`
	ValidUntil     *time.Time `json:"valid_until"`
	CreatedAt      *time.Time `json:"created_at"`
	UpdatedAt      *time.Time `json:"updated_at"`
}

func fillLine(in *lineIn, l *outdial.Line) error {
	var err error
	if l.ValidFrom, err = parseTS(in.ValidFrom, "valid_from"); err != nil {
		return err
	}
	if l.ValidUntil, err = parseTS(in.ValidUntil, "valid_until"); err != nil {
		return err
	}
	l.Name, l.Gateway, l.Transport, l.Username = in.Name, in.Gateway, in.Transport, in.Username
	l.Password, l.CallerNumbers = in.Password, in.CallerNumbers
	l.Concurrency, l.CallsPerSecond = in.Concurrency, in.CallsPerSecond
	return l.Validate()
}

func showLine(l *outdial.Line) lineOut {
	return lineOut{ID: l.ID, UUID: l.UUID, Name: l.Name, Gateway: l.Gateway, Transport: l.Transport, Username: l.Username,
		HasPassword: l.Password != "", CallerNumbers: nonNil(l.CallerNumbers), Concurrency: l.Concurrency,
		CallsPerSecond: l.CallsPerSecond, ValidFrom: ts(l.ValidFrom), ValidUntil: ts(l.ValidUntil),
		CreatedAt: ts(l.CreatedAt), UpdatedAt: ts(l.UpdatedAt)}
}

func (h *Handler) lines() *resource[outdial.Line, lineIn, lineOut] {
	s := h.store
	return &resource[outdial.Line, lineIn, lineOut]{
		h: h, noun: "line", nouns: "lines", path: "/api/v1/lines",
		list: func(ctx context.Context, tenantID int64, _ url.Values, pg outdial.Page) ([]*outdial.Line, error) {
			return s.Lines(ctx, tenantID, pg)
		},
		get:    s.Line,
		create: s.CreateLine,
		update: s.UpdateLine,
		remove: s.DeleteLine,
		blank:  func(tenantID int64) *outdial.Line { return &outdial.Line{TenantID: tenantID} },
		fill:   fillLine,
		show:   showLine,
		key:    func(l *outdial.Line) int64 { return l.ID },
	}
}

// nonNil turns a nil slice into an empty one, so lists are [] on the wire, never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
