package groupcall

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/auth"
)

// Status codes of the envelope's statusCode. 0 is success; the others are THE error
// table below (README.md shows the same table; a test keeps them together).
const (
	StatusSuccess   = 0
	StatusBadToken  = 1001
	StatusNoRoute   = 1002
	StatusMalformed = 1003
	StatusInvalid   = 1004
	StatusNotFound  = 1005
	StatusConflict  = 1006
	StatusTooLarge  = 1007
	StatusForbidden = 1008
	StatusInternal  = 1500
)

// statusRow is one row of the error table: the statusCode, the outdial error code that
// maps to it ("" for the dialect's own errors), the message's leading title, and the HTTP
// status of a record-download error (every other answer is HTTP 200).
type statusRow struct {
	status   int
	code     string
	title    string
	download int
}

// statusTable is THE table that turns errors into statusCodes.
var statusTable = []statusRow{
	{StatusBadToken, outdial.EUNAUTHORIZED, "认证失败", http.StatusUnauthorized},
	{StatusNoRoute, "", "接口不存在", http.StatusNotFound},
	{StatusMalformed, "", "请求格式错误", http.StatusBadRequest},
	{StatusInvalid, outdial.EINVALID, "参数错误", http.StatusBadRequest},
	{StatusNotFound, outdial.ENOTFOUND, "数据不存在", http.StatusNotFound},
	{StatusConflict, outdial.ECONFLICT, "状态冲突", http.StatusConflict},
	{StatusTooLarge, outdial.ETOOLARGE, "数据过多", http.StatusRequestEntityTooLarge},
	{StatusForbidden, outdial.EFORBIDDEN, "无权限", http.StatusForbidden},
	{StatusInternal, outdial.EINTERNAL, "系统错误", http.StatusInternalServerError},
}

// dialectError is an error whose statusCode is the dialect's own decision rather than
// its outdial code: a malformed body, an unknown route, a task that cannot start.
type dialectError struct {
	status int
	err    error
}

func (e *dialectError) Error() string { return e.err.Error() }
func (e *dialectError) Unwrap() error { return e.err }

// malformed marks err (from decoding) as StatusMalformed; nil stays nil.
func malformed(err error) error {
	if err == nil || outdial.ErrorCode(err) == outdial.ETOOLARGE {
		return err
	}
	return &dialectError{status: StatusMalformed, err: err}
}

// noRoute is the StatusNoRoute error.
func noRoute(format string, args ...any) error {
	return &dialectError{status: StatusNoRoute, err: outdial.Errorf(outdial.ENOTFOUND, format, args...)}
}

// conflict marks a refusal that is about the current state, not the input (task-start on
// a task whose line has expired) as StatusConflict; other errors pass unchanged.
func conflict(err error) error {
	if outdial.ErrorCode(err) != outdial.EINVALID {
		return err
	}
	return &dialectError{status: StatusConflict, err: err}
}

// notFound is the ENOTFOUND error for a thing named by the id the caller sent. Another
// tenant's id answers exactly the same.
func notFound(noun, id string) error {
	return outdial.Errorf(outdial.ENOTFOUND, "%s %q not found", noun, id)
}

// classify returns err's row of the table.
func classify(err error) statusRow {
	status := StatusInternal
	var de *dialectError
	if errors.As(err, &de) {
		status = de.status
	} else {
		code := outdial.ErrorCode(err)
		for _, row := range statusTable {
			if row.code == code {
				status = row.status
			}
		}
	}
	for _, row := range statusTable {
		if row.status == status {
			return row
		}
	}
	return statusTable[len(statusTable)-1]
}

// envelope is every answer of the dialect: {"statusCode", "message", "info"}.
type envelope struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
	Info       any    `json:"info"`
}

// errorEnvelope builds the answer for err: the statusCode, a message that starts with the
// row's title, and an empty info. Internal errors are logged; the caller sees only the
// title.
func (h *Handler) errorEnvelope(r *http.Request, err error) (statusRow, envelope) {
	row := classify(err)
	msg := row.title
	if row.status == StatusInternal {
		attrs := []slog.Attr{slog.String("route", r.URL.Query().Get("r")), slog.Any("err", err)}
		if t := auth.FromContext(r.Context()); t != nil {
			attrs = append(attrs, slog.Int64("tenant", t.ID))
		}
		h.log.LogAttrs(r.Context(), slog.LevelError, "groupcall api: internal error", attrs...)
	} else if detail := outdial.ErrorMessage(err); detail != "" {
		msg = fmt.Sprintf("%s: %s", row.title, detail)
	}
	return row, envelope{StatusCode: row.status, Message: msg, Info: ""}
}

// fail answers err in the envelope with HTTP 200, as the vendor's API does.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		h.log.LogAttrs(r.Context(), slog.LevelInfo, "groupcall api: request cancelled by the client",
			slog.String("route", r.URL.Query().Get("r")))
		return
	}
	_, env := h.errorEnvelope(r, err)
	h.writeJSON(w, r, http.StatusOK, env)
}
