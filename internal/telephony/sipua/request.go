package sipua

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"

	"github.com/emiago/sipgo/sip"
	"github.com/outdial/outdial/internal/telephony"
)

// headers returns the INVITE's caller id and outdial headers.
func (c *call) headers(host string) []sip.Header {
	caller := c.req.Caller
	if caller == "" {
		caller = c.req.Line.CallerNumber(c.req.CallID)
	}
	if !dialable(caller) {
		caller = "anonymous"
	}
	from := &sip.FromHeader{DisplayName: caller, Address: sip.Uri{Scheme: "sip", User: caller, Host: host},
		Params: sip.NewParams()}
	return []sip.Header{
		from,
		sip.NewHeader("P-Asserted-Identity", "<sip:"+caller+"@"+host+">"),
		sip.NewHeader("X-Outdial-Call-Id", strconv.FormatInt(c.req.CallID, 10)),
	}
}

// resolvePrompts finds or makes every prompt's audio before dialing, so an answered
// call never waits for TTS and a broken script rings nobody.
func (c *call) resolvePrompts(ctx context.Context) error {
	c.files = make([]string, len(c.req.Prompts))
	for i, p := range c.req.Prompts {
		f, err := c.u.prompts.File(ctx, p, c.req.Debug)
		if err != nil {
			if ctx.Err() != nil {
				return telephony.ErrCancelled
			}
			c.log.Error("prompt unavailable", slog.Int("prompt", i+1), slog.Any("error", err))
			return fmt.Errorf("prompt %d: %w: %v", i+1, telephony.ErrScript, err)
		}
		c.files[i] = f
	}
	return nil
}

// dialable accepts SIP user parts made of digits, letters and + * . _ -.
func dialable(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
			c == '+' || c == '*' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func splitGateway(gw string) (string, int, error) {
	host, p, err := net.SplitHostPort(gw)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port <= 0 || port > 65535 || host == "" {
		return "", 0, fmt.Errorf("bad port in %q", gw)
	}
	return host, port, nil
}
