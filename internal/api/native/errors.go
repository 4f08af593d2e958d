package native

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/auth"
)

// statusOf is THE table that turns outdial error codes into HTTP statuses. A code that is
// not in it (there is none today) answers 500.
var statusOf = map[string]int{
	outdial.EINVALID:      http.StatusBadRequest,
	outdial.EUNAUTHORIZED: http.StatusUnauthorized,
	outdial.EFORBIDDEN:    http.StatusForbidden,
	outdial.ENOTFOUND:     http.StatusNotFound,
	outdial.ECONFLICT:     http.StatusConflict,
	outdial.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	outdial.EINTERNAL:     http.StatusInternalServerError,
}

// errorBody is the one error envelope of the native API.
type errorBody struct {
	Error errorInfo `json:"error"`
}

// errorInfo is the inside of the error envelope.
type errorInfo struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// fail writes err in the error envelope. Errors that are not *outdial.Error (and
// EINTERNAL ones) are logged with the request's context; the caller sees "Internal error.".
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client went away (an upload cut short): nobody reads an answer, and it is
		// not a fault of outdial's.
		h.log.LogAttrs(r.Context(), slog.LevelInfo, "native api: request cancelled by the client",
			slog.String("method", r.Method), slog.String("path", r.URL.Path))
		return
	}
	code := outdial.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = outdial.EINTERNAL, http.StatusInternalServerError
	}
	info := errorInfo{Code: code, Message: outdial.ErrorMessage(err), Field: outdial.ErrorField(err)}
	if status == http.StatusInternalServerError {
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err)}
		if t := auth.FromContext(r.Context()); t != nil {
			attrs = append(attrs, slog.Int64("tenant", t.ID))
		}
		h.log.LogAttrs(r.Context(), slog.LevelError, "native api: internal error", attrs...)
		info = errorInfo{Code: outdial.EINTERNAL, Message: "Internal error."}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="outdial"`)
	}
	h.writeJSON(w, r, status, errorBody{Error: info})
}

// writeJSON writes v as the JSON answer with status. <, > and & are written as they are
// (not \u003c...): the answer is application/json with nosniff, never HTML, and links
// with & stay readable in curl.
func (h *Handler) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err != nil {
		h.log.ErrorContext(r.Context(), "native api: encode answer", "path", r.URL.Path, "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"Internal error."}}`)
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

// isCode reports whether err carries the outdial code.
func isCode(err error, code string) bool {
	var e *outdial.Error
	return errors.As(err, &e) && e.Code == code
}
