package sipua

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

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
// call never waits for TTS and a broken script rings nobody. Prompts resolved in the
// last promptTTL are reused.
func (c *call) resolvePrompts(ctx context.Context) error {
	c.prompts = make([]*promptAudio, len(c.req.Prompts))
	now := time.Now()
	for i, p := range c.req.Prompts {
		key := promptKey{text: p.Text, audio: p.Audio, voice: p.Voice, debug: c.req.Debug}
		if a, ok := c.u.promptCache.get(key, now); ok {
			c.prompts[i] = a
			continue
		}
		f, err := c.u.prompts.File(ctx, p, c.req.Debug)
		if err != nil {
			if ctx.Err() != nil {
				return telephony.ErrCancelled
			}
			c.log.Error("prompt unavailable", slog.Int("prompt", i+1), slog.Any("error", err))
			return fmt.Errorf("prompt %d: %w: %v", i+1, telephony.ErrScript, err)
		}
		a := &promptAudio{path: f, expires: now.Add(promptTTL)}
		a.samples, _ = loadPrompt(f) // on error the player reads the file, and says what is wrong
		c.u.promptCache.put(key, a, now)
		c.prompts[i] = a
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
