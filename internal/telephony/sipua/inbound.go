package sipua

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// inboundFilter answers every new INVITE itself: 480 when it comes from the gateway of a
// configured line (outdial takes no inbound calls yet), 403 from anywhere else. Requests
// within dialogs (BYE, re-INVITE, ACK...) go on to diago.
func (u *UA) inboundFilter(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if !req.IsInvite() {
			next(req, tx)
			return
		}
		if to := req.To(); to != nil && to.Params.Has("tag") {
			next(req, tx) // a re-INVITE; diago answers 481 if no dialog matches
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
