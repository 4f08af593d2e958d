package telrobot

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/auth"
)

// statusOf is THE table that turns outdial error codes into this dialect's HTTP statuses
// (Laravel's: 422 for input that breaks a rule). A code not in it answers 500.
var statusOf = map[string]int{
	outdial.EINVALID:      http.StatusUnprocessableEntity,
	outdial.EUNAUTHORIZED: http.StatusUnauthorized,
	outdial.EFORBIDDEN:    http.StatusForbidden,
	outdial.ENOTFOUND:     http.StatusNotFound,
	outdial.ECONFLICT:     http.StatusConflict,
	outdial.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	outdial.EINTERNAL:     http.StatusInternalServerError,
}

// errorBody is the one error envelope, Laravel's: a message, and for input errors every
// field at fault with its messages.
type errorBody struct {
	Message string              `json:"message"`
	Errors  map[string][]string `json:"errors,omitempty"`
}

// fieldErrors collects every rule an input breaks, so one answer names them all.
type fieldErrors []*outdial.Error

// add records a broken rule of field.
func (fe *fieldErrors) add(field, format string, args ...any) {
	*fe = append(*fe, outdial.FieldErrorf(field, format, args...))
}

// has reports whether field already has an error.
func (fe fieldErrors) has(field string) bool {
	for _, e := range fe {
		if e.Field == field {
			return true
		}
	}
	return false
}

// err returns nil without errors, else an error whose code is EINVALID.
func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// Error implements error with the first message.
func (fe fieldErrors) Error() string { return fe[0].Error() }

// Unwrap gives outdial.ErrorCode and ErrorMessage the first error.
func (fe fieldErrors) Unwrap() error { return fe[0] }

// fail writes err in the envelope. Errors that are not *outdial.Error (and EINTERNAL ones)
// are logged with the request's context; the caller sees "Internal error.".
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		h.log.LogAttrs(r.Context(), slog.LevelInfo, "telrobot api: request cancelled by the client",
			slog.String("method", r.Method), slog.String("path", r.URL.Path))
		return
	}
	status, ok := statusOf[outdial.ErrorCode(err)]
	if !ok {
		status = http.StatusInternalServerError
	}
	body := errorBody{Message: outdial.ErrorMessage(err)}
	var fe fieldErrors
	if errors.As(err, &fe) {
		body.Message = fe[0].Message
		if len(fe) > 1 {
			body.Message += " (and " + plural(len(fe)-1, "more error") + ")"
		}
	} else if f := outdial.ErrorField(err); f != "" {
		fe = fieldErrors{{Field: f, Message: body.Message}}
	}
	for _, e := range fe {
		if body.Errors == nil {
			body.Errors = map[string][]string{}
		}
		body.Errors[e.Field] = append(body.Errors[e.Field], e.Message)
	}
	if status == http.StatusInternalServerError {
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err)}
		if t := auth.FromContext(r.Context()); t != nil {
			attrs = append(attrs, slog.Int64("tenant", t.ID))
		}
		h.log.LogAttrs(r.Context(), slog.LevelError, "telrobot api: internal error", attrs...)
		body = errorBody{Message: "Internal error."}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="outdial"`)
	}
	h.writeJSON(w, r, status, body)
}

// writeJSON writes v as the JSON answer with status.
func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		h.log.ErrorContext(r.Context(), "telrobot api: encode answer", "path", r.URL.Path, "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"message":"Internal error."}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// notFound is the ENOTFOUND error for a missing thing, named as the caller knows it.
func notFound(noun string) error {
	return outdial.Errorf(outdial.ENOTFOUND, "%s not found", noun)
}

func plural(n int, noun string) string {
	s := strings.TrimSpace(noun)
	if n != 1 {
		s += "s"
	}
	return itoa(int64(n)) + " " + s
}
