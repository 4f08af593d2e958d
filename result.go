package outdial

// Result is how a call attempt ended, as far as the dialing rules care.
type Result string

// Call results.
const (
	ResultAnswered      Result = "answered"       // the callee answered
	ResultNoAnswer      Result = "no_answer"      // rang until the timeout, or 480/408
	ResultBusy          Result = "busy"           // 486, 600
	ResultRejected      Result = "rejected"       // 603: the callee declined
	ResultInvalidNumber Result = "invalid_number" // 404, 484, 410
	ResultUnreachable   Result = "unreachable"    // switched off or out of coverage (Q.850 cause 18/19/20)
	ResultFailed        Result = "failed"         // trunk failure: 5xx, network error, no response
	ResultCancelled     Result = "cancelled"      // outdial cancelled it (task stopped, shutdown)
	ResultInterrupted   Result = "interrupted"    // outdial crashed while the call was live
	// ResultBlocked ends a contact that was never called: its number is on the tenant's
	// blocklist. No CDR carries it.
	ResultBlocked Result = "blocked"
)

// Results lists every result, in a stable order.
var Results = []Result{ResultAnswered, ResultNoAnswer, ResultBusy, ResultRejected,
	ResultInvalidNumber, ResultUnreachable, ResultFailed, ResultCancelled, ResultInterrupted, ResultBlocked}

// Valid reports whether r is one of Results.
func (r Result) Valid() bool {
	for _, x := range Results {
		if x == r {
			return true
		}
	}
	return false
}

// HangupBy says which side ended an answered call.
type HangupBy string

// Sides that hang up.
const (
	HangupNone     HangupBy = ""         // the call was never answered
	HangupCustomer HangupBy = "customer" // the callee's side (seed 002 endresult 11)
	HangupPlatform HangupBy = "platform" // the robot or the agent (seed 002 endresult 12)
)

// CallResult is seed 002's callresult: 0 not connected, 1 customer connected only,
// 2 customer and agent connected.
func CallResult(res Result, agentAnswered bool) int {
	switch {
	case res != ResultAnswered:
		return 0
	case agentAnswered:
		return 2
	}
	return 1
}

// EndResult is seed 002's endresult: 11 the customer's side hung up, 12 the platform's
// side (robot or agent). Unanswered calls count as ended by the platform.
func EndResult(by HangupBy) int {
	if by == HangupCustomer {
		return 11
	}
	return 12
}
