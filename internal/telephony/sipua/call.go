package sipua

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/telephony"
)

// DefaultRingTimeout is how long a call rings when the request sets no RingTimeout.
const DefaultRingTimeout = 30 * time.Second

// call is one outbound call from INVITE to Ended.
type call struct {
	u      *UA
	req    telephony.Request
	report func(telephony.Event)
	log    *slog.Logger

	out          outdial.Outcome
	status       int            // final SIP status of the INVITE
	reasonHeader string         // Reason header of the final response
	provisional  bool           // any 1xx arrived
	prompts      []*promptAudio // resolved before dialing
	media        *callMedia

	// mu orders onResponse, which runs on the goroutine waiting for the answer, with an
	// abandoned INVITE (see dial): after that, responses are ignored.
	mu        sync.Mutex
	abandoned bool
}

// Originate places req and returns at once; see telephony.Originator. Every call reports
// exactly one Ended, last, from the call's own goroutine.
func (u *UA) Originate(ctx context.Context, req telephony.Request, report func(telephony.Event)) {
	c := &call{u: u, req: req, report: report,
		log: u.log.With(slog.Int64("call_id", req.CallID), slog.String("callee", req.Callee))}
	u.mu.Lock()
	closed := u.closed
	if !closed {
		u.calls.Add(1)
	}
	u.mu.Unlock()
	if closed {
		go c.finish(fmt.Errorf("sipua closed: %w", telephony.ErrCancelled))
		return
	}
	go func() {
		defer u.calls.Done()
		c.run(ctx)
	}()
}

// run places the call and reports its events; it always ends with one Ended.
func (c *call) run(parent context.Context) {
	ended := false
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("call panicked", slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			if !ended {
				c.finish(fmt.Errorf("internal error: %v", p))
			}
		}
	}()
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	stop := context.AfterFunc(c.u.ctx, cancel) // Close ends live calls
	defer stop()

	err := c.place(ctx)
	ended = true
	c.finish(err)
}

// place runs the call through its states and returns what ended it before an answer
// (nil when it was answered or ended with a final response).
func (c *call) place(ctx context.Context) error {
	req := c.req
	if req.Line == nil {
		return fmt.Errorf("request without a line: %w", telephony.ErrNetwork)
	}
	if !dialable(req.Callee) {
		return telephony.ErrBadNumber
	}
	host, port, err := splitGateway(req.Line.Gateway)
	if err != nil {
		return fmt.Errorf("line %d gateway %q: %w", req.Line.ID, req.Line.Gateway, telephony.ErrNetwork)
	}
	if err := c.resolvePrompts(ctx); err != nil {
		return err
	}
	transport := req.Line.Transport
	if transport == "" {
		transport = outdial.TransportUDP
	}
	recipient := sip.Uri{Scheme: "sip", User: req.Callee, Host: host, Port: port}
	d, err := c.u.dg.NewDialog(recipient, diago.NewDialogOptions{Transport: transport})
	if err != nil {
		return fmt.Errorf("new dialog: %w: %v", telephony.ErrNetwork, err)
	}
	c.media = newCallMedia(c, d)
	defer func() {
		if c.media != nil { // nil: handed to cleanUpAbandoned
			c.media.close()
		}
	}()

	ringTimeout := req.RingTimeout
	if ringTimeout <= 0 {
		ringTimeout = DefaultRingTimeout
	}
	ringCtx, stopRing := context.WithTimeoutCause(ctx, ringTimeout, telephony.ErrRingTimeout)
	defer stopRing()
	opts := diago.InviteClientOptions{
		Headers:          c.headers(host),
		Username:         req.Line.Username,
		Password:         req.Line.Password,
		OnResponse:       c.onResponse,
		EarlyMediaDetect: true,
	}
	c.out.StartTime = time.Now()
	err, abandoned := c.dial(ctx, ringCtx, d, func() error { return d.Invite(ringCtx, opts) })
	if abandoned {
		// The CANCEL went unanswered past the hangup timeout: the INVITE transaction is
		// left to time out in sipgo, and the dialog is not touched again.
		return c.dialError(ctx, ringCtx, err)
	}
	if err != nil {
		if res := d.InviteResponse; res != nil && res.StatusCode >= 300 {
			c.finalResponse(res) // the 487 that answers our CANCEL
		}
		err = c.dialError(ctx, ringCtx, err)
		c.endUnanswered(d)
		return err
	}
	stopRing()
	// A BYE that comes as soon as the callee has our ACK must find the dialog: sipgo
	// confirms it only after writing the ACK, so the inbound filter holds such a BYE
	// until the ACK is written.
	acked := c.u.acking(d.InviteRequest)
	err = d.Ack(ctx)
	acked()
	if err != nil {
		c.log.Warn("ACK failed", slog.Any("error", err))
		c.hangup(d)
		return fmt.Errorf("ack: %w: %v", telephony.ErrNetwork, err)
	}
	c.status = sip.StatusOK
	c.out.AnswerTime = time.Now()
	c.emit(telephony.Event{Kind: telephony.Answered, At: c.out.AnswerTime})

	c.out.HangupBy = c.media.runScript(ctx)
	if c.out.HangupBy == outdial.HangupPlatform {
		c.hangup(d)
	}
	return nil
}

// maxWaits bounds how many times dial goes back to waiting for an answer.
const maxWaits = 50

// dial sends the INVITE (invite) and waits for the answer until ringCtx ends. What sipgo
// or diago give up on while the call is still ringing does not end the call: more than
// ten provisional responses, a 183 whose early media outdial cannot use (an unknown
// codec, an SDP that makes diago's parser panic), so dial goes back to waiting, and at
// the ring timeout sipgo sends the CANCEL. A panic in the SIP stack becomes an error. A
// CANCEL whose INVITE gets no final response is waited for HangupTimeout past the ring
// timeout, not sipgo's 32 s; then abandoned is true and the dialog must not be used.
func (c *call) dial(ctx, ringCtx context.Context, d *diago.DialogClientSession, invite func() error) (err error, abandoned bool) {
	wait := invite
	for waits := 0; ; waits++ {
		done := make(chan error, 1)
		go func() { done <- guard(wait) }()
		select {
		case err = <-done:
		case <-ringCtx.Done():
			select {
			case err = <-done:
			case <-time.After(c.u.cfg.HangupTimeout):
				c.log.Info("no final response to the CANCEL within the hangup timeout; the INVITE is abandoned")
				c.mu.Lock()
				c.abandoned = true
				c.mu.Unlock()
				c.cleanUpAbandoned(d, done)
				return context.Cause(ringCtx), true
			}
		}
		if err == nil || waits == maxWaits || !c.stillRinging(d, err) {
			return err, false
		}
		if errors.Is(err, diago.ErrClientEarlyMedia) {
			c.media.startReading() // keep the early media flowing; it is not recorded
		} else {
			c.log.Info("still ringing after a response the SIP stack gave up on", slog.Any("error", err))
		}
		wait = func() error {
			return d.WaitAnswer(ringCtx, sipgo.AnswerOptions{OnResponse: c.onResponse,
				Username: c.req.Line.Username, Password: c.req.Line.Password})
		}
	}
}

// cleanUpAbandoned takes over the dialog and its media from an abandoned INVITE: the
// goroutine still in sipgo's CANCEL wait (up to 64*T1) may yet get a 200 (the callee
// picked up after all), which must be ACKed and hung up, not left to ring into silence.
// The media are closed only when that goroutine is done with the dialog.
func (c *call) cleanUpAbandoned(d *diago.DialogClientSession, done <-chan error) {
	m := c.media
	c.media = nil
	c.u.calls.Add(1)
	go func() {
		defer c.u.calls.Done()
		<-done
		if res := d.InviteResponse; res != nil && res.IsSuccess() {
			ctx, cancel := context.WithTimeout(context.Background(), c.u.cfg.HangupTimeout)
			err := d.DialogClientSession.Ack(ctx)
			if err == nil {
				err = d.DialogClientSession.Bye(ctx)
			}
			cancel()
			c.log.Info("a 200 came after the INVITE was abandoned; hung up", slog.Any("error", err))
		}
		if m != nil {
			m.close()
		}
	}()
}

// stillRinging reports whether the INVITE that stopped with err is still waiting for its
// final response: the last response was provisional, and err is neither a final
// response, nor the end of our CANCEL, nor the end of the transaction.
func (c *call) stillRinging(d *diago.DialogClientSession, err error) bool {
	if errors.Is(err, diago.ErrClientEarlyMedia) {
		return true
	}
	res := d.InviteResponse
	var final *sipgo.ErrDialogResponse
	var finalv sipgo.ErrDialogResponse
	switch {
	case res == nil || !res.IsProvisional():
		return false
	case errors.As(err, &final), errors.As(err, &finalv):
		return false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false // WaitAnswer sent the CANCEL and it ended
	case errors.Is(err, sip.ErrTransactionTimeout), errors.Is(err, sip.ErrTransactionTransport):
		return false
	}
	return !strings.HasPrefix(err.Error(), "transaction terminated")
}

// guard runs f and turns a panic in it (diago's SDP parser indexes fields it has not
// checked) into an error.
func guard(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("SIP stack failed: %v", p)
		}
	}()
	return f()
}

// dialError turns what stopped the INVITE into an error for Classify, noting the final
// response if there was one.
func (c *call) dialError(ctx, ringCtx context.Context, err error) error {
	var res *sipgo.ErrDialogResponse
	var resv sipgo.ErrDialogResponse
	switch {
	case errors.As(err, &res):
		c.finalResponse(res.Res)
		return nil
	case errors.As(err, &resv):
		c.finalResponse(resv.Res)
		return nil
	case ctx.Err() != nil:
		return telephony.ErrCancelled
	case ringCtx.Err() != nil && c.provisional:
		return telephony.ErrRingTimeout
	case ringCtx.Err() != nil, errors.Is(err, sip.ErrTransactionTimeout):
		return telephony.ErrNoResponse
	case errors.Is(err, sip.ErrTransactionTransport):
		return fmt.Errorf("%w: %v", telephony.ErrNetwork, err)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return err
	}
	c.log.Info("call failed before answer", slog.Any("error", err))
	return err
}

// endUnanswered cleans up after an INVITE that got no answer. If a 200 crossed our
// CANCEL, the call is confirmed and hung up at once.
func (c *call) endUnanswered(d *diago.DialogClientSession) {
	if res := d.InviteResponse; res != nil && res.IsSuccess() {
		ctx, cancel := context.WithTimeout(context.Background(), c.u.cfg.HangupTimeout)
		defer cancel()
		err := d.DialogClientSession.Ack(ctx)
		if err == nil {
			err = d.DialogClientSession.Bye(ctx)
		}
		c.log.Info("answer crossed CANCEL; hung up", slog.Any("error", err))
	}
}

// hangup sends BYE, bounded by the hangup timeout.
func (c *call) hangup(d *diago.DialogClientSession) {
	ctx, cancel := context.WithTimeout(context.Background(), c.u.cfg.HangupTimeout)
	defer cancel()
	if err := d.Hangup(ctx); err != nil && d.Context().Err() == nil {
		c.log.Info("BYE failed", slog.Any("error", err))
	}
}

func (c *call) onResponse(res *sip.Response) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.abandoned {
		return nil
	}
	switch {
	case res.StatusCode >= 180 && res.StatusCode < 200:
		c.provisional = true
		if c.out.RingTime.IsZero() {
			c.out.RingTime = time.Now()
			c.emit(telephony.Event{Kind: telephony.Ringing, At: c.out.RingTime})
		}
	case res.IsProvisional():
		c.provisional = true
	default:
		c.finalResponse(res)
	}
	return nil
}

func (c *call) finalResponse(res *sip.Response) {
	if res == nil {
		return
	}
	c.status = res.StatusCode
	c.reasonHeader = ""
	if h := res.GetHeader("Reason"); h != nil {
		c.reasonHeader = h.Value()
	}
}

// finish completes the outcome and reports Ended.
func (c *call) finish(err error) {
	if c.media != nil {
		c.media.close()
		c.out.DTMF = c.media.keys()
		c.out.Recording = c.media.recording
	}
	c.out.EndTime = time.Now()
	c.out.SIPStatus = c.status
	c.out.Result, c.out.Reason = telephony.ClassifyWithReason(c.status, err, c.reasonHeader)
	if c.out.Result != outdial.ResultAnswered {
		c.out.HangupBy = outdial.HangupNone
		c.out.AnswerTime = time.Time{}
	}
	c.log.Debug("call ended", slog.String("result", string(c.out.Result)), slog.String("reason", c.out.Reason),
		slog.Int("sip_status", c.status), slog.String("hangup_by", string(c.out.HangupBy)), slog.Any("error", err))
	out := c.out
	c.emit(telephony.Event{Kind: telephony.Ended, At: out.EndTime, Outcome: &out})
}

func (c *call) emit(ev telephony.Event) {
	if c.report != nil {
		c.report(ev)
	}
}
