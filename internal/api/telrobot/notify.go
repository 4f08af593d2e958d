package telrobot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/outdial/outdial"
)

// FormatName is the webhook format of this dialect's hangup notifications.
const FormatName = "telrobot"

// Linker signs recording links (internal/recording's *Links).
type Linker interface {
	// URL returns an expiring download link of the recording of the tenant's call.
	URL(tenantID, callID int64) string
}

// Notifier is the engine notifier of the hangup notification: for every call of a task
// with a call_notify_url (answered calls only when call_notify_type is 1) it returns one
// outbox message, written in the same transaction as the call's CDR.
type Notifier struct {
	// Links signs the recording URL; without it record_url is null.
	Links Linker
}

// hangupNotify is the body POSTed to call_notify_url when a call ends. Times are in the
// task's time zone; null means "did not happen".
type hangupNotify struct {
	CallID          string            `json:"call_id"`
	TaskUUID        string            `json:"task_uuid"`
	TaskName        string            `json:"task_name"`
	UserID          string            `json:"user_id"`
	Number          string            `json:"number"`
	Name            string            `json:"name"`
	Variables       map[string]string `json:"variables"`
	CallerIDNumber  string            `json:"caller_id_number"`
	Attempt         int               `json:"attempt"`
	Final           bool              `json:"final"`
	StartDatetime   string            `json:"start_datetime"`
	RingDatetime    *string           `json:"ring_datetime"`
	AnswerDatetime  *string           `json:"answer_datetime"`
	HangupDatetime  string            `json:"hangup_datetime"`
	Duration        int               `json:"duration"`
	Billsec         int               `json:"billsec"`
	Status          int               `json:"status"`
	StatusStr       string            `json:"status_str"`
	Result          string            `json:"result"`
	ResultStr       string            `json:"result_str"`
	SIPStatus       int               `json:"sip_status"`
	HangupCause     string            `json:"hangup_cause"`
	HangupReason    string            `json:"hangup_reason"`
	HangupBy        *string           `json:"hangup_by"`
	DTMF            string            `json:"dtmf"`
	Tags            []string          `json:"tags"`
	TransferNumber  *string           `json:"transfer_number"`
	TransferBillsec int               `json:"transfer_billsec"`
	RecordURL       *string           `json:"record_url"`
	NotifyType      int               `json:"notify_type"`
}

// results gives each result its words and FreeSWITCH hangup cause.
var results = map[outdial.Result]struct{ words, cause string }{
	outdial.ResultAnswered:      {"已接听", "NORMAL_CLEARING"},
	outdial.ResultNoAnswer:      {"无人接听", "NO_ANSWER"},
	outdial.ResultBusy:          {"忙线", "USER_BUSY"},
	outdial.ResultRejected:      {"拒接", "CALL_REJECTED"},
	outdial.ResultInvalidNumber: {"空号", "UNALLOCATED_NUMBER"},
	outdial.ResultUnreachable:   {"关机或不在服务区", "SUBSCRIBER_ABSENT"},
	outdial.ResultFailed:        {"呼叫失败", "NORMAL_TEMPORARY_FAILURE"},
	outdial.ResultCancelled:     {"已取消", "ORIGINATOR_CANCEL"},
	outdial.ResultInterrupted:   {"中断", "CRASH"},
}

// CallEnded returns the hangup notification of the call, if its task wants one.
func (n Notifier) CallEnded(c *outdial.Call, contact *outdial.Contact, task *outdial.Task) []*outdial.OutboxMessage {
	if task.NotifyURL == "" || (task.NotifyType == NotifyAnswered && c.Result != outdial.ResultAnswered) {
		return nil
	}
	body, err := json.Marshal(n.hangup(c, contact, task))
	if err != nil {
		return nil // a struct of strings and numbers always encodes
	}
	return []*outdial.OutboxMessage{{TenantID: c.TenantID, EventID: fmt.Sprintf("telrobot:call:%d", c.ID),
		EventType: outdial.EventCallEnded, Format: FormatName, URL: task.NotifyURL, Payload: body}}
}

// TaskFinished returns nothing: the document has no task notification.
func (Notifier) TaskFinished(*outdial.Task) []*outdial.OutboxMessage { return nil }

func (n Notifier) hangup(c *outdial.Call, contact *outdial.Contact, task *outdial.Task) hangupNotify {
	if contact == nil {
		contact = &outdial.Contact{Status: outdial.ContactFinished}
	}
	loc := location(task.TimeZone)
	words := results[c.Result]
	h := hangupNotify{CallID: itoa(c.ID), TaskUUID: task.UUID, TaskName: task.Name, UserID: UserID(c.TenantID),
		Number: c.Called, Name: contact.Name, Variables: contact.Variables, CallerIDNumber: c.Caller, Attempt: c.Attempt,
		Final: contact.Status == outdial.ContactFinished, StartDatetime: datetime(c.StartTime, loc),
		RingDatetime: nullDatetime(c.RingTime, loc), AnswerDatetime: nullDatetime(c.AnswerTime, loc),
		HangupDatetime: datetime(c.EndTime, loc), Duration: c.AllSecs, Billsec: c.AnsSecs, StatusStr: "未接通",
		Result: string(c.Result), ResultStr: words.words, SIPStatus: c.SIPStatus, HangupCause: words.cause,
		HangupReason: c.Reason, DTMF: c.DTMF, Tags: c.Tags, TransferNumber: nullString(c.TransPhone),
		TransferBillsec: c.LinkSecs, NotifyType: task.NotifyType}
	if c.Result == outdial.ResultAnswered {
		h.Status, h.StatusStr = 1, "已接通"
	}
	switch c.HangupBy {
	case outdial.HangupCustomer:
		h.HangupBy = nullString("customer")
	case outdial.HangupPlatform:
		h.HangupBy = nullString("robot")
	}
	if h.Variables == nil {
		h.Variables = map[string]string{}
	}
	if h.Tags == nil {
		h.Tags = []string{}
	}
	if c.Recording != "" && n.Links != nil {
		h.RecordURL = nullString(n.Links.URL(c.TenantID, c.ID))
	}
	return h
}

// Format delivers hangup notifications: the stored payload as the JSON body, no
// signature (the document has none; put a secret in the URL's query), with the record_url
// signed afresh at each attempt so a late retry still carries a working link. Any 2xx
// answer means delivered.
type Format struct {
	Links Linker
}

// Name returns "telrobot".
func (Format) Name() string { return FormatName }

// Build returns the notification body of m for an attempt at now.
func (f Format) Build(m *outdial.OutboxMessage, _ *outdial.Subscription, _ time.Time) ([]byte, http.Header, error) {
	body := m.Payload
	if f.Links != nil {
		var n hangupNotify
		if err := json.Unmarshal(m.Payload, &n); err != nil {
			return nil, nil, fmt.Errorf("telrobot notification: payload of message %d is not JSON: %w", m.ID, err)
		}
		if n.RecordURL != nil {
			if id, err := strconv.ParseInt(n.CallID, 10, 64); err == nil {
				n.RecordURL = nullString(f.Links.URL(m.TenantID, id))
				if b, err := json.Marshal(n); err == nil {
					body = b
				}
			}
		}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Event-Id", m.EventID)
	return body, h, nil
}

// Delivered reports whether status is 2xx.
func (Format) Delivered(status int, _ []byte) bool { return status >= 200 && status <= 299 }
