package sipua

import (
	"context"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// TestQuirkAbandonedInviteLate200: the carrier answers our CANCEL with 200, sends no
// 487, and then (after the hangup timeout, when dial has abandoned the INVITE) the callee
// picks up: a 200 OK for the INVITE. sipgo's inviteCancel is still waiting for a final
// response (64*T1), takes the 200 as InviteResponse and returns. That answered call must be
// ACKed and hung up (it used to be dropped: the callee sat in silence, and the carrier
// billed, until its own timers ended the call); see call.go cleanUpAbandoned.
func TestQuirkAbandonedInviteLate200(t *testing.T) {
	peer := startSipp(t, "quirks/cancel_late_200.xml", "udp", 1)
	ua := newReviewUA(t)
	const ring = time.Second
	r := reviewOriginate(t, ua, context.Background(), reviewRequest(9201, peer, "udp", ring), ring+reviewHangupTimeout+3*time.Second)
	if !r.ended {
		t.Fatalf("call did not end")
	}
	if r.outcome.Result != outdial.ResultNoAnswer {
		t.Logf("outcome %s", describe(r.outcome))
	}
	peer.wait(t) // sipp wants the ACK and the BYE for the late 200
}
