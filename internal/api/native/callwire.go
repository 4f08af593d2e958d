package native

import (
	"strconv"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/phoneinfo"
)

// callOut is a call detail record. Its id is a decimal string: call ids are 64-bit and
// exceed what JavaScript numbers hold exactly. Times that did not happen are null; the
// fields ending in _ee are the agent leg of a transferred call.
type callOut struct {
	ID             string     `json:"id"`
	ProjectID      int64      `json:"project_id"`
	TaskID         int64      `json:"task_id"`
	BatchID        int64      `json:"batch_id"`
	ContactID      int64      `json:"contact_id"`
	LineID         int64      `json:"line_id"`
	Attempt        int        `json:"attempt"`
	Status         string     `json:"status" enum:"started,ended"`
	Caller         string     `json:"caller"`
	Called         string     `json:"called"`
	CalledAreaCode string     `json:"called_areacode"`
	CalledAreaName string     `json:"called_areaname"`
	CalledType     string     `json:"called_type"`
	CalledVendor   string     `json:"called_vendor"`
	TransCaller    string     `json:"trans_caller"`
	TransPhone     string     `json:"trans_phone"`
	TransAreaCode  string     `json:"trans_areacode"`
	TransAreaName  string     `json:"trans_areaname"`
	TransType      string     `json:"trans_type"`
	TransVendor    string     `json:"trans_vendor"`
	StartTimeEe    *time.Time `json:"start_time_ee"`
	RingTimeEe     *time.Time `json:"ring_time_ee"`
	AnswerTimeEe   *time.Time `json:"answer_time_ee"`
	EndTimeEe      *time.Time `json:"end_time_ee"`
	StartTime      *time.Time `json:"start_time"`
	RingTime       *time.Time `json:"ring_time"`
	AnswerTime     *time.Time `json:"answer_time"`
	LinkTime       *time.Time `json:"link_time"`
	EndTime        *time.Time `json:"end_time"`
	AnsSecs        int        `json:"ans_secs"`
	LinkSecs       int        `json:"link_secs"`
	AllSecs        int        `json:"all_secs"`
	Result         string     `json:"result" enum:"answered,no_answer,busy,rejected,invalid_number,unreachable,failed,cancelled,interrupted,"`
	CallResult     int        `json:"callresult"`
	EndResult      int        `json:"endresult"`
	HangupBy       string     `json:"hangup_by" enum:"customer,platform,"`
	SIPStatus      int        `json:"sip_status"`
	Reason         string     `json:"reason"`
	HasRecording   bool       `json:"has_recording"`
	DTMF           string     `json:"dtmf"`
	Tags           []string   `json:"tags"`
}

func showCall(c *outdial.Call) callOut {
	return callOut{ID: strconv.FormatInt(c.ID, 10), ProjectID: c.ProjectID, TaskID: c.TaskID, BatchID: c.BatchID,
		ContactID: c.ContactID, LineID: c.LineID, Attempt: c.Attempt, Status: c.Status, Caller: c.Caller, Called: c.Called,
		CalledAreaCode: c.CalledAreaCode, CalledAreaName: c.CalledAreaName, CalledType: c.CalledType, CalledVendor: c.CalledVendor,
		TransCaller: c.TransCaller, TransPhone: c.TransPhone, TransAreaCode: c.TransAreaCode, TransAreaName: c.TransAreaName,
		TransType: c.TransType, TransVendor: c.TransVendor, StartTimeEe: ts(c.StartTimeEe), RingTimeEe: ts(c.RingTimeEe),
		AnswerTimeEe: ts(c.AnswerTimeEe), EndTimeEe: ts(c.EndTimeEe), StartTime: ts(c.StartTime), RingTime: ts(c.RingTime),
		AnswerTime: ts(c.AnswerTime), LinkTime: ts(c.LinkTime), EndTime: ts(c.EndTime), AnsSecs: c.AnsSecs,
		LinkSecs: c.LinkSecs, AllSecs: c.AllSecs, Result: string(c.Result), CallResult: c.CallResult, EndResult: c.EndResult,
		HangupBy: string(c.HangupBy), SIPStatus: c.SIPStatus, Reason: c.Reason, HasRecording: c.Recording != "",
		DTMF: c.DTMF, Tags: nonNil(c.Tags)}
}

// normalizePhone is phoneinfo.Normalize, for filters.
func normalizePhone(s string) (string, error) { return phoneinfo.Normalize(s) }
