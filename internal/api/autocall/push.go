package autocall

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/outdial/outdial"
)

// pushData is the "data" of a CDR push, in the document's example form: snake_case,
// every number a decimal string, times in Unix seconds ("0" when it did not happen).
type pushData struct {
	VccID          string `json:"vcc_id"`
	CallID         string `json:"call_id"`
	CallTime       string `json:"call_time"` // the push table's field: start time, "Y-m-d H:i:s"
	Caller         string `json:"caller"`
	Called         string `json:"called"`
	CalledAreacode string `json:"called_areacode"`
	CalledAreaname string `json:"called_areaname"`
	CalledType     string `json:"called_type"`
	CalledVendor   string `json:"called_vendor"`
	TransCaller    string `json:"trans_caller"`
	TransPhone     string `json:"trans_phone"`
	TransAreacode  string `json:"trans_areacode"`
	TransAreaname  string `json:"trans_areaname"`
	TransType      string `json:"trans_type"`
	TransVendor    string `json:"trans_vendor"`
	StartTimeEe    string `json:"start_time_ee"`
	RingTimeEe     string `json:"ring_time_ee"`
	AnswerTimeEe   string `json:"answer_time_ee"`
	EndTimeEe      string `json:"end_time_ee"`
	StartTime      string `json:"start_time"`
	RingTime       string `json:"ring_time"`
	AnsTime        string `json:"ans_time"`
	LinkTime       string `json:"link_time"`
	EndTime        string `json:"end_time"`
	AnsSecs        string `json:"ans_secs"`
	LinkSecs       string `json:"link_secs"`
	AllSecs        string `json:"all_secs"`
	CallResult     string `json:"callresult"`
	EndResult      string `json:"endresult"`
	CallContext    string `json:"call_context"`
	CallExten      string `json:"call_exten"`
	CallVars       string `json:"call_vars"`
	RecordFile     string `json:"record_file"`
	UserData       struct {
		Tag          string            `json:"_tag"`
		ExtID        string            `json:"ext_id"`
		TemplateData map[string]string `json:"template_data"` // the contact's variables; null when none
		ProID        string            `json:"proid"`
		TaskID       string            `json:"taskid"`
	} `json:"user_data"`
	TransAgent []transAgent `json:"trans_agent"`
}

// transAgent is one agent the call was transferred to (the agent leg), in trans_agent.
type transAgent struct {
	TransPhone   string `json:"trans_phone"`
	StartTimeEe  string `json:"start_time_ee"`
	RingTimeEe   string `json:"ring_time_ee"`
	AnswerTimeEe string `json:"answer_time_ee"`
	EndTimeEe    string `json:"end_time_ee"`
}

// Call context values (see README.md).
const (
	contextQueue = "mc_transque" // the task transfers to an agent group
	contextRobot = "mc_robot"    // the robot alone handles the call
	extenIVR     = "ivr_in"
)

// newPushData turns a finished call into push data. recordURL is the recording's download
// link ("" without a recording); contact and task may be nil.
func newPushData(c *outdial.Call, contact *outdial.Contact, task *outdial.Task, recordURL string, loc *time.Location) pushData {
	d := pushData{VccID: itoa(c.TenantID), CallID: itoa(c.ID), CallTime: c.StartTime.In(loc).Format(timeLayout),
		Caller: c.Caller, Called: c.Called, CalledAreacode: c.CalledAreaCode, CalledAreaname: c.CalledAreaName,
		CalledType: c.CalledType, CalledVendor: c.CalledVendor, TransCaller: c.TransCaller, TransPhone: c.TransPhone,
		TransAreacode: c.TransAreaCode, TransAreaname: c.TransAreaName, TransType: c.TransType, TransVendor: c.TransVendor,
		StartTimeEe: unixText(c.StartTimeEe), RingTimeEe: unixText(c.RingTimeEe), AnswerTimeEe: unixText(c.AnswerTimeEe),
		EndTimeEe: unixText(c.EndTimeEe), StartTime: unixText(c.StartTime), RingTime: unixText(c.RingTime),
		AnsTime: unixText(c.AnswerTime), LinkTime: unixText(c.LinkTime), EndTime: unixText(c.EndTime),
		AnsSecs: strconv.Itoa(c.AnsSecs), LinkSecs: strconv.Itoa(c.LinkSecs), AllSecs: strconv.Itoa(c.AllSecs),
		CallResult: strconv.Itoa(c.CallResult), EndResult: strconv.Itoa(c.EndResult), CallContext: contextRobot,
		CallExten: extenIVR, RecordFile: recordURL, TransAgent: []transAgent{}}
	var queue int64
	if task != nil && task.AgentGroupID != 0 {
		queue, d.CallContext = task.AgentGroupID, contextQueue
	}
	d.CallVars = fmt.Sprintf("trans_que=%d,trans_pro=%d", queue, c.ProjectID)
	d.UserData.Tag, d.UserData.ProID, d.UserData.TaskID = userTag, itoa(c.ProjectID), itoa(c.TaskID)
	if contact != nil {
		d.UserData.ExtID = contact.ExternalID
		if len(contact.Variables) > 0 {
			d.UserData.TemplateData = contact.Variables
		}
	}
	if c.TransPhone != "" || !c.StartTimeEe.IsZero() {
		d.TransAgent = append(d.TransAgent, transAgent{TransPhone: c.TransPhone, StartTimeEe: d.StartTimeEe,
			RingTimeEe: d.RingTimeEe, AnswerTimeEe: d.AnswerTimeEe, EndTimeEe: d.EndTimeEe})
	}
	return d
}

// marshalASCII encodes v as compact JSON whose every non-ASCII character is escaped as
// \uXXXX (as the document's example shows), so the signed bytes are plain ASCII.
func marshalASCII(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return b, nil
	}
	out := make([]byte, 0, len(b)+len(b)/2)
	for _, r := range string(b) {
		switch {
		case r < utf8.RuneSelf:
			out = append(out, byte(r))
		case r > 0xFFFF:
			r -= 0x10000
			out = fmt.Appendf(out, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			out = fmt.Appendf(out, `\u%04x`, r)
		}
	}
	return out, nil
}

// unixText is t in Unix seconds as a decimal string, "0" for the zero time.
func unixText(t time.Time) string { return strconv.FormatInt(unix(t), 10) }

// unix is t in Unix seconds, 0 for the zero time.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
