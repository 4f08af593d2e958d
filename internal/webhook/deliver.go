package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/outdial/outdial"
)

// Answer limits: the dispatcher reads at most maxAnswer bytes of an answer (formats judge
// those) and keeps the first maxLogged in the delivery log.
const (
	maxAnswer = 64 << 10
	maxLogged = 1024
)

// attempt makes one delivery attempt of dl's message, decides the message's next state,
// and hands dl to the recorder and back to the loop.
func (d *Dispatcher) attempt(dl *delivery) {
	defer func() { d.done <- dl }()
	m := dl.m
	at := d.cfg.Clock.Now()
	dl.attempt = outdial.DeliveryAttempt{MessageID: m.ID, At: at}
	a := &dl.attempt
	sub, permanent, err := d.prepare(m)
	if err != nil && !permanent {
		d.log.Error("webhook: read subscription", "message", m.ID, "subscription", m.SubscriptionID, "err", err)
		dl.skip = true
		return
	}
	var answer []byte
	if err == nil {
		f := d.cfg.Formats[m.Format]
		var body []byte
		var header http.Header
		if body, header, err = f.Build(m, sub, at); err != nil {
			permanent = true
		} else {
			start := time.Now()
			var readErr error
			a.Status, answer, readErr, err = d.post(m.URL, body, header)
			dl.elapsed = time.Since(start)
			a.Duration = dl.elapsed
			var refused *RefusedError
			permanent = errors.As(err, &refused)
			// The status decides, with what could be read of the answer: a receiver that
			// answered 2xx has the message even if the rest of its answer is slow.
			a.Delivered = err == nil && f.Delivered(a.Status, answer)
			switch {
			case err == nil && !a.Delivered && readErr != nil:
				err = fmt.Errorf("answered %d, and the answer could not be read: %w", a.Status, readErr)
			case err == nil && !a.Delivered:
				err = fmt.Errorf("answered %d, which the %s format does not count as delivered", a.Status, m.Format)
			}
		}
	}
	a.Response = logged(answer)
	end := d.cfg.Clock.Now()
	switch {
	case a.Delivered:
		m.Status, m.DeliveredAt, m.LastError = outdial.OutboxDelivered, end, ""
		m.NextAttemptAt = end
	default:
		a.Error = clean(errorText(err, d.cfg))
		m.LastError = a.Error
		sched := Schedule(sub)
		if n := m.Attempts + 1; permanent || n > len(sched) {
			m.Status, m.NextAttemptAt = outdial.OutboxDead, end
		} else {
			m.Status, m.NextAttemptAt = outdial.OutboxPending, end.Add(sched[n-1])
		}
	}
	d.records <- dl
}

// prepare finds m's subscription and format. A missing subscription or format, or a
// disabled subscription, is a permanent failure; other errors are the store's.
func (d *Dispatcher) prepare(m *outdial.OutboxMessage) (sub *outdial.Subscription, permanent bool, err error) {
	if d.cfg.Formats[m.Format] == nil {
		return nil, true, fmt.Errorf("no %q format on this node", m.Format)
	}
	if m.SubscriptionID == 0 {
		return nil, false, nil
	}
	sub, err = d.subs.get(m.TenantID, m.SubscriptionID)
	switch {
	case outdial.ErrorCode(err) == outdial.ENOTFOUND:
		return nil, true, fmt.Errorf("subscription %d no longer exists", m.SubscriptionID)
	case err != nil:
		return nil, false, err
	case !sub.Enabled:
		return sub, true, fmt.Errorf("subscription %d is disabled", m.SubscriptionID)
	}
	return sub, false, nil
}

// post sends body to rawURL and returns the status and the start of the answer (at most
// maxAnswer bytes). err is set when no status came; readErr when the answer's body could
// not be read to its end or to maxAnswer within the timeout (answer has what came).
func (d *Dispatcher) post(rawURL string, body []byte, header http.Header) (status int, answer []byte, readErr, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.ConnectTimeout+d.cfg.ReadTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "outdial-webhook/1")
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	answer, readErr = io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	return resp.StatusCode, answer, readErr, nil
}

// newClient is the HTTP client of deliveries: timeouts from cfg, the address policy on
// every dial, no proxy from the environment, and no redirects (a 3xx is the answer).
func newClient(cfg Config) *http.Client {
	t := &http.Transport{
		DialContext:           cfg.Guard.dialer(cfg.ConnectTimeout),
		TLSHandshakeTimeout:   cfg.ConnectTimeout,
		ResponseHeaderTimeout: cfg.ReadTimeout,
		MaxConnsPerHost:       cfg.PerEndpoint,
		MaxIdleConnsPerHost:   cfg.PerEndpoint,
		MaxIdleConns:          4 * cfg.Workers,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: t, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// errorText turns a delivery error into the words the delivery log shows. It never
// contains the URL (whose query may hold the customer's tokens).
func errorText(err error, cfg Config) string {
	var refused *RefusedError
	var uerr *url.Error
	var nerr net.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &refused):
		return refused.Error()
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection was closed before a complete answer"
	case strings.Contains(err.Error(), "timeout awaiting response headers"):
		return fmt.Sprintf("no answer within %v (read timeout)", cfg.ReadTimeout)
	case errors.As(err, &nerr) && nerr.Timeout():
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return fmt.Sprintf("could not connect within %v (connect timeout)", cfg.ConnectTimeout)
		}
		return fmt.Sprintf("timed out after %v", cfg.ConnectTimeout+cfg.ReadTimeout)
	case errors.As(err, &uerr):
		return uerr.Err.Error()
	}
	return err.Error()
}

// logged is the start of an answer for the delivery log: valid UTF-8 without NUL bytes
// (PostgreSQL text holds neither), at most maxLogged bytes.
func logged(answer []byte) string {
	if len(answer) > maxLogged {
		answer = answer[:maxLogged]
	}
	return clean(string(answer))
}

// clean makes s storable as text: invalid UTF-8 and NUL bytes become U+FFFD.
func clean(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
