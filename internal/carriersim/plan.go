package carriersim

import (
	"context"
	"log/slog"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/sipgo/sip"
	"github.com/outdial/outdial"
)

// Plan waits, before Config.TimeScale.
const (
	ringBeforeAnswer = 500 * time.Millisecond
	dtmfAfter        = time.Second     // digit 4
	earlyMediaFor    = 2 * time.Second // digit 5
	hangupAfter      = 3 * time.Second // digit 7
	speakFor         = 2 * time.Second // digit 9
	greetingFor      = 500 * time.Millisecond
)

// handle answers one INVITE by the plan; diago closes the dialog when it returns.
func (s *Sim) handle(d *diago.DialogServerSession) {
	s.calls.Add(1)
	defer s.calls.Done()
	if s.cfg.Password != "" && !s.authorized(d) {
		return
	}
	number := d.InviteRequest.Recipient.User
	if number == "" {
		number = d.ToUser()
	}
	digit := byte('x')
	if number != "" {
		digit = number[len(number)-1]
	}
	log := s.log.With(slog.String("to", number), slog.String("from", d.FromUser()))
	log.Debug("invite", slog.String("digit", string(digit)))
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.MaxCall)
	defer cancel()

	switch digit {
	case '0':
		s.reject(d, log, 486, "Busy Here", outdial.ResultBusy)
	case '3':
		s.reject(d, log, 404, "Not Found", outdial.ResultInvalidNumber)
	case '6':
		s.reject(d, log, 503, "Service Unavailable", outdial.ResultFailed)
	case '8':
		s.reject(d, log, 603, "Decline", outdial.ResultRejected)
	case '2':
		s.ringForever(d, log)
	case '5':
		s.earlyMediaThenAnswer(ctx, d, log)
	case '1', '4', '7', '9':
		if !s.ringThenAnswer(ctx, d, log) {
			return
		}
		s.answered(ctx, d, log, digit)
	default:
		s.reject(d, log, 404, "Not Found", outdial.ResultInvalidNumber)
	}
}

// authorized checks the INVITE's digest credentials: none gets a 401 challenge, wrong
// ones 403 Forbidden.
func (s *Sim) authorized(d *diago.DialogServerSession) bool {
	res, err := s.auth.AuthorizeRequest(d.InviteRequest, diago.DigestAuth{
		Username: s.cfg.Username, Password: s.cfg.Password, Realm: "carriersim"})
	if err == nil && res.StatusCode == 200 {
		return true
	}
	s.count(func(st *Stats) { st.Challenged++ })
	if err != nil {
		res = sip.NewResponseFromRequest(d.InviteRequest, 403, "Forbidden", nil)
	}
	if werr := d.WriteResponse(res); werr != nil {
		s.log.Warn("refusing credentials failed", slog.Any("error", werr))
	}
	return false
}

func (s *Sim) reject(d *diago.DialogServerSession, log *slog.Logger, code int, reason string, res outdial.Result) {
	if err := d.Respond(code, reason, nil); err != nil {
		log.Warn("respond failed", slog.Int("status", code), slog.Any("error", err))
		return
	}
	s.count(func(st *Stats) { st.Calls[res]++ })
}

// ringForever sends 180 and waits for the caller's CANCEL (the transaction layer answers
// 200 and 487), or MaxRing.
func (s *Sim) ringForever(d *diago.DialogServerSession, log *slog.Logger) {
	if err := d.Ringing(); err != nil {
		log.Warn("180 failed", slog.Any("error", err))
		return
	}
	s.count(func(st *Stats) { st.Calls[outdial.ResultNoAnswer]++ })
	t := time.NewTimer(s.cfg.MaxRing)
	defer t.Stop()
	select {
	case <-d.Context().Done():
		s.count(func(st *Stats) { st.Cancelled++ })
	case <-t.C:
		d.Respond(480, "Temporarily Unavailable", nil)
	case <-s.ctx.Done():
		d.Respond(480, "Temporarily Unavailable", nil)
	}
}

// ringThenAnswer sends 180, waits, answers and reports whether the call is up.
func (s *Sim) ringThenAnswer(ctx context.Context, d *diago.DialogServerSession, log *slog.Logger) bool {
	if err := d.Ringing(); err != nil {
		log.Warn("180 failed", slog.Any("error", err))
		return false
	}
	if !s.sleep(ctx, d, s.scale(ringBeforeAnswer)) {
		return false
	}
	if err := d.Answer(); err != nil {
		if res := d.InviteResponse; res != nil && res.StatusCode == 200 {
			// The caller's BYE overtook its ACK: the call was answered and is over.
			log.Debug("hung up before the ACK", slog.Any("error", err))
			s.count(func(st *Stats) { st.Calls[outdial.ResultAnswered]++ })
			return false
		}
		log.Warn("answer failed", slog.Any("error", err))
		return false
	}
	s.count(func(st *Stats) { st.Calls[outdial.ResultAnswered]++ })
	return true
}

// earlyMediaThenAnswer is digit 5: 183 with audio, then 200, then listening.
func (s *Sim) earlyMediaThenAnswer(ctx context.Context, d *diago.DialogServerSession, log *slog.Logger) {
	if err := d.ProgressMedia(); err != nil {
		log.Warn("183 failed", slog.Any("error", err))
		return
	}
	if err := s.playTone(ctx, d, 425, s.scale(earlyMediaFor)); err != nil {
		log.Debug("early media stopped", slog.Any("error", err))
	}
	if d.Context().Err() != nil {
		s.count(func(st *Stats) { st.Cancelled++ })
		return
	}
	if err := d.Answer(); err != nil {
		log.Warn("answer failed", slog.Any("error", err))
		return
	}
	s.count(func(st *Stats) { st.Calls[outdial.ResultAnswered]++ })
	s.answered(ctx, d, log, '5')
}

// answered runs an answered call's part of the plan: listening always, plus a key, a
// hangup or speech by digit.
func (s *Sim) answered(ctx context.Context, d *diago.DialogServerSession, log *slog.Logger, digit byte) {
	stop := s.listen(d)
	defer stop()
	switch digit {
	case '1':
		s.playTone(ctx, d, 440, s.scale(greetingFor))
	case '4':
		if s.sleep(ctx, d, s.scale(dtmfAfter)) {
			if err := sendDTMF(ctx, d, '1'); err != nil {
				log.Warn("dtmf failed", slog.Any("error", err))
			} else {
				s.count(func(st *Stats) { st.DTMFSent++ })
			}
		}
	case '7':
		if s.sleep(ctx, d, s.scale(hangupAfter)) {
			s.hangup(d, log)
		}
		return
	case '9':
		if err := s.playTone(ctx, d, 620, s.scale(speakFor)); err == nil && d.Context().Err() == nil {
			s.hangup(d, log)
		}
		return
	}
	// Listen until the caller hangs up (or the simulator closes, or MaxCall).
	select {
	case <-d.Context().Done():
	case <-ctx.Done():
		s.hangup(d, log)
	}
}

func (s *Sim) hangup(d *diago.DialogServerSession, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.Hangup(ctx); err != nil {
		log.Warn("BYE failed", slog.Any("error", err))
		return
	}
	s.count(func(st *Stats) { st.Hangups++ })
}

// sleep waits d and reports whether the call is still up.
func (s *Sim) sleep(ctx context.Context, dlg *diago.DialogServerSession, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-dlg.Context().Done():
		return false
	case <-ctx.Done():
		return false
	}
}
