package outdial

import "time"

// Call is one attempt to reach a contact, and once it ends, its CDR (call detail record).
// Its ID is the 64-bit time-ordered call id (seed 002's callId). Times are UTC; a zero time
// means "did not happen".
type Call struct {
	ID        int64 `json:"id,string"`
	TenantID  int64 `json:"-"`
	ProjectID int64 `json:"project_id"`
	TaskID    int64 `json:"task_id"`
	BatchID   int64 `json:"batch_id"`
	ContactID int64 `json:"contact_id"`
	// ExternalID is the contact's external id when the call started (seed 002's extId).
	ExternalID string `json:"external_id"`
	LineID     int64  `json:"line_id"`
	Attempt    int    `json:"attempt"` // 1 for a contact's first call
	NodeID     string `json:"node_id"`
	Status     string `json:"status"` // CallStarted until the outcome is written, then CallEnded

	Caller         string `json:"caller"`
	Called         string `json:"called"`
	CalledAreaCode string `json:"called_areacode"`
	CalledAreaName string `json:"called_areaname"`
	CalledType     string `json:"called_type"`
	CalledVendor   string `json:"called_vendor"`

	// The agent leg, when the call was transferred to a human agent.
	TransCaller   string    `json:"trans_caller"`
	TransPhone    string    `json:"trans_phone"`
	TransAreaCode string    `json:"trans_areacode"`
	TransAreaName string    `json:"trans_areaname"`
	TransType     string    `json:"trans_type"`
	TransVendor   string    `json:"trans_vendor"`
	StartTimeEe   time.Time `json:"start_time_ee"`
	RingTimeEe    time.Time `json:"ring_time_ee"`
	AnswerTimeEe  time.Time `json:"answer_time_ee"`
	EndTimeEe     time.Time `json:"end_time_ee"`

	// The customer leg.
	StartTime  time.Time `json:"start_time"` // the INVITE left
	RingTime   time.Time `json:"ring_time"`
	AnswerTime time.Time `json:"answer_time"`
	LinkTime   time.Time `json:"link_time"` // customer and agent were bridged
	EndTime    time.Time `json:"end_time"`
	AnsSecs    int       `json:"ans_secs"`  // answer to end
	LinkSecs   int       `json:"link_secs"` // bridged to end
	AllSecs    int       `json:"all_secs"`  // start to end

	Result     Result   `json:"result"`
	CallResult int      `json:"callresult"` // 0, 1 or 2 (see CallResult)
	EndResult  int      `json:"endresult"`  // 11 or 12 (see EndResult)
	HangupBy   HangupBy `json:"hangup_by"`
	SIPStatus  int      `json:"sip_status"`
	Reason     string   `json:"reason"`
	Recording  string   `json:"recording"` // path under the data directory, "" if none
	DTMF       string   `json:"dtmf"`      // keys pressed, in order
	Tags       []string `json:"tags"`
	UpdatedAt  time.Time
}

// Call statuses.
const (
	CallStarted = "started"
	CallEnded   = "ended"
)

// Outcome is what telephony reports when a call ends.
type Outcome struct {
	Result    Result
	SIPStatus int
	Reason    string
	HangupBy  HangupBy
	// StartTime is when the INVITE left; the CDR keeps the attempt's start (its id time).
	StartTime  time.Time
	RingTime   time.Time
	AnswerTime time.Time
	EndTime    time.Time
	Recording  string
	DTMF       string
	Tags       []string

	// The agent leg, if any.
	TransPhone   string
	StartTimeEe  time.Time
	RingTimeEe   time.Time
	AnswerTimeEe time.Time
	EndTimeEe    time.Time
	LinkTime     time.Time
}

// Apply copies an outcome into the call and derives its durations and seed 002 codes.
func (c *Call) Apply(o Outcome) {
	c.Status = CallEnded
	c.Result, c.SIPStatus, c.Reason, c.HangupBy = o.Result, o.SIPStatus, o.Reason, o.HangupBy
	c.RingTime, c.AnswerTime, c.EndTime, c.LinkTime = o.RingTime, o.AnswerTime, o.EndTime, o.LinkTime
	c.Recording, c.DTMF, c.Tags = o.Recording, o.DTMF, o.Tags
	c.TransPhone = o.TransPhone
	c.StartTimeEe, c.RingTimeEe, c.AnswerTimeEe, c.EndTimeEe = o.StartTimeEe, o.RingTimeEe, o.AnswerTimeEe, o.EndTimeEe
	if c.EndTime.IsZero() {
		c.EndTime = c.StartTime
	}
	c.AllSecs = secsBetween(c.StartTime, c.EndTime)
	c.AnsSecs = secsBetween(c.AnswerTime, c.EndTime)
	c.LinkSecs = secsBetween(c.LinkTime, c.EndTime)
	if c.Result != ResultAnswered {
		c.HangupBy = HangupNone
	}
	c.CallResult = CallResult(c.Result, !c.AnswerTimeEe.IsZero())
	c.EndResult = EndResult(c.HangupBy)
}

// secsBetween returns whole seconds from a to b, rounded to nearest, 0 if either is zero.
func secsBetween(a, b time.Time) int {
	if a.IsZero() || b.IsZero() || b.Before(a) {
		return 0
	}
	return int((b.Sub(a) + 500*time.Millisecond) / time.Second)
}
