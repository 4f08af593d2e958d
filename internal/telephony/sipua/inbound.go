package sipua

import (
	"context"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// inboundFilter answers every new INVITE itself: 480 when it comes from the gateway of a
// configured line (outdial takes no inbound calls yet), 403 from anywhere else. Requests
// within dialogs (BYE, re-INVITE, ACK...) go on to diago.
func (u *UA) inboundFilter(next sipgo.RequestHandler) sipgo.RequestHandler {
	next = u.recovering(next)
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if !req.IsInvite() {
			if req.Method == sip.BYE {
				u.waitAck(req) // the callee hung up as soon as it had our ACK
			}
			next(req, tx)
			return
		}
		if to := req.To(); to != nil && to.Params.Has("tag") {
			// A re-INVITE; diago answers 481 if no dialog matches. An offer diago's SDP
			// parser would panic on is refused here.
			if !sdpUsable(req) {
				u.log.Info("re-INVITE with a malformed SDP refused", slog.String("source", req.Source()))
				if err := tx.Respond(sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil)); err != nil {
					u.log.Warn("refusing a re-INVITE failed", slog.Any("error", err))
				}
				return
			}
			next(req, tx)
			return
		}
		src, _, _ := net.SplitHostPort(req.Source())
		code, reason := 403, "Forbidden"
		if u.fromLineGateway(src) {
			code, reason = 480, "Temporarily Unavailable"
		}
		u.log.Info("inbound call refused", slog.String("source", req.Source()),
			slog.String("to", req.Recipient.User), slog.Int("status", code))
		if err := tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil)); err != nil {
			u.log.Warn("refusing inbound call failed", slog.Any("error", err))
		}
	}
}

// fromLineGateway reports whether ip is the address of one of the lines' gateways.
func (u *UA) fromLineGateway(ip string) bool {
	src := net.ParseIP(ip)
	if src == nil || u.cfg.Lines == nil {
		return false
	}
	for _, l := range u.cfg.Lines() {
		if l == nil {
			continue
		}
		host, _, err := net.SplitHostPort(l.Gateway)
		if err != nil {
			continue
		}
		if gw := net.ParseIP(host); gw != nil {
			if gw.Equal(src) {
				return true
			}
			continue
		}
		ctx, cancel := context.WithTimeout(u.ctx, time.Second)
		addrs, err := net.DefaultResolver.LookupIP(ctx, "ip", host)
		cancel()
		for _, a := range addrs {
			if err == nil && a.Equal(src) {
				return true
			}
		}
	}
	return false
}

// recovering answers 500 to a request whose handling panics in the SIP stack, instead of
// letting the panic end the process and every call with it.
func (u *UA) recovering(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		defer func() {
			if p := recover(); p != nil {
				u.log.Error("handling a SIP request panicked", slog.String("method", req.Method.String()),
					slog.String("source", req.Source()), slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
				if err := tx.Respond(sip.NewResponseFromRequest(req, 500, "Server Internal Error", nil)); err != nil {
					u.log.Debug("answering 500 after a panic", slog.Any("error", err))
				}
			}
		}()
		next(req, tx)
	}
}

// sdpUsable reports whether req has no SDP body, or one whose o=, c= and m= lines have
// the fields diago's parser reads without checking.
func sdpUsable(req *sip.Request) bool {
	body := req.Body()
	if len(body) == 0 {
		return true
	}
	if ct := req.ContentType(); ct != nil && !strings.EqualFold(strings.TrimSpace(ct.Value()), "application/sdp") {
		return true
	}
	media := false
	for _, line := range strings.Split(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if len(line) < 2 || line[1] != '=' {
			continue
		}
		n := len(strings.Fields(line[2:]))
		switch line[0] {
		case 'o':
			if n < 6 {
				return false
			}
		case 'c':
			if n < 3 {
				return false
			}
		case 'm':
			if n < 4 {
				return false
			}
			media = true
		}
	}
	return media
}

// acking registers the INVITE's dialog as being acknowledged; the returned function
// says the ACK has been written.
func (u *UA) acking(invite *sip.Request) (done func()) {
	id := invite.CallID()
	if id == nil {
		return func() {}
	}
	key := id.Value()
	ch := make(chan struct{})
	u.ackMu.Lock()
	if u.acks == nil {
		u.acks = map[string]chan struct{}{}
	}
	u.acks[key] = ch
	u.ackMu.Unlock()
	return func() {
		u.ackMu.Lock()
		delete(u.acks, key)
		u.ackMu.Unlock()
		close(ch)
	}
}

// waitAck holds a BYE of a dialog whose ACK is being written until it is (at most a
// second), so the dialog is known when the BYE is handled.
func (u *UA) waitAck(req *sip.Request) {
	id := req.CallID()
	if id == nil {
		return
	}
	u.ackMu.Lock()
	ch := u.acks[id.Value()]
	u.ackMu.Unlock()
	if ch == nil {
		return
	}
	select {
	case <-ch:
	case <-time.After(time.Second):
	}
}
