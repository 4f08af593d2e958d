package autocall

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/auth"
)

// envelope is every answer of the dialect: code 0 and message "操作成功" with data on
// success; a non-zero code, a message saying what is wrong and data null (or the field
// at fault) on failure.
type envelope struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	Data      any    `json:"data"`
}

// okMessage is the document's success message.
const okMessage = "操作成功"

// errorCodes is THE table that turns outdial error codes into the dialect's answer: the
// HTTP status and the envelope's code (the same number). Codes not in it answer 500.
var errorCodes = map[string]int{
	outdial.EINVALID:      http.StatusBadRequest,
	outdial.EUNAUTHORIZED: http.StatusUnauthorized,
	outdial.EFORBIDDEN:    http.StatusForbidden,
	outdial.ENOTFOUND:     http.StatusNotFound,
	outdial.ECONFLICT:     http.StatusConflict,
	outdial.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	eMethod:               http.StatusMethodNotAllowed,
	outdial.EINTERNAL:     http.StatusInternalServerError,
}

// eMethod is the dialect's own code for a known path called with a method it lacks.
const eMethod = "method_not_allowed"

func errMethod(method, path string, allowed []string) error {
	return outdial.Errorf(eMethod, "%s does not take %s: use %s", path, method, strings.Join(allowed, ", "))
}

// fieldData is the data of an error about one input field.
type fieldData struct {
	Field string `json:"field"`
}

// serve wraps a route's handler: a request id, panic recovery, the tenant token, and
// every error written in the envelope.
func (h *Handler) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := requestID()
		w.Header().Set("X-Request-Id", id)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				h.fail(w, r, id, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
			}
		}()
		var t *outdial.Tenant
		if !rt.public {
			tok := auth.BearerToken(r)
			if tok == "" {
				h.fail(w, r, id, outdial.Errorf(outdial.EUNAUTHORIZED, "missing token: send the header Authorization: Bearer <token>"))
				return
			}
			var err error
			if t, err = auth.Tenant(r.Context(), h.store, tok); err != nil {
				if outdial.ErrorCode(err) == outdial.EUNAUTHORIZED {
					err = outdial.Errorf(outdial.EUNAUTHORIZED, "invalid token")
				}
				h.fail(w, r, id, err)
				return
			}
			r = r.WithContext(auth.WithTenant(r.Context(), t))
		}
		data, err := rt.handle(w, r, t)
		if err != nil {
			h.fail(w, r, id, err)
			return
		}
		h.write(w, r, http.StatusOK, envelope{Code: 0, Message: okMessage, RequestID: id, Data: data})
	})
}

// fail writes err in the envelope. Internal errors are logged with the request id; the
// caller sees "Internal error." and the id to quote.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, id string, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		h.log.LogAttrs(r.Context(), slog.LevelInfo, "autocall api: request cancelled by the client",
			slog.String("request_id", id), slog.String("path", r.URL.Path))
		return
	}
	code := outdial.ErrorCode(err)
	status, ok := errorCodes[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	env := envelope{Code: status, Message: outdial.ErrorMessage(err), RequestID: id}
	if f := outdial.ErrorField(err); f != "" {
		env.Data = fieldData{Field: f}
	}
	if status == http.StatusInternalServerError {
		attrs := []slog.Attr{slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Any("err", err)}
		if t := auth.FromContext(r.Context()); t != nil {
			attrs = append(attrs, slog.Int64("tenant", t.ID))
		}
		h.log.LogAttrs(r.Context(), slog.LevelError, "autocall api: internal error", attrs...)
		env.Message, env.Data = "Internal error.", nil
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="outdial"`)
	}
	h.write(w, r, status, env)
}

// write sends env as JSON with status.
func (h *Handler) write(w http.ResponseWriter, r *http.Request, status int, env envelope) {
	b, err := json.Marshal(env)
	if err != nil {
		h.log.ErrorContext(r.Context(), "autocall api: encode answer", "request_id", env.RequestID, "err", err)
		status = http.StatusInternalServerError
		b = fmt.Appendf(nil, `{"code":500,"message":"Internal error.","request_id":%q,"data":null}`, env.RequestID)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// requestID returns 32 random hex digits, as the document's request_id.
func requestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
