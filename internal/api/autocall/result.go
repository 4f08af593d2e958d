package autocall

import (
	"strconv"

	"github.com/outdial/outdial"
)

// result is one CDR of a search, in the document's example form: ids as strings, times
// as Unix seconds (0 when they did not happen), callresult and endresult as strings.
// answerTime (the field table's name) repeats ansTime (the example's).
type result struct {
	VccID          string   `json:"vccId"`
	ProjectID      string   `json:"projectId"`
	TaskID         string   `json:"taskId"`
	CallID         string   `json:"callId"`
	Caller         string   `json:"caller"`
	Called         string   `json:"called"`
	CalledAreacode string   `json:"calledAreacode"`
	CalledAreaname string   `json:"calledAreaname"`
	CalledType     string   `json:"calledType"`
	CalledVendor   string   `json:"calledVendor"`
	TransCaller    string   `json:"transCaller"`
	TransPhone     string   `json:"transPhone"`
	TransAreacode  string   `json:"transAreacode"`
	TransAreaname  string   `json:"transAreaname"`
	TransType      string   `json:"transType"`
	TransVendor    string   `json:"transVendor"`
	StartTimeEe    int64    `json:"startTimeEe"`
	RingTimeEe     int64    `json:"ringTimeEe"`
	AnswerTimeEe   int64    `json:"answerTimeEe"`
	EndTimeEe      int64    `json:"endTimeEe"`
	StartTime      int64    `json:"startTime"`
	RingTime       int64    `json:"ringTime"`
	AnsTime        int64    `json:"ansTime"`
	AnswerTime     int64    `json:"answerTime"`
	EndTime        int64    `json:"endTime"`
	AnsSecs        int      `json:"ansSecs"`
	LinkSecs       int      `json:"linkSecs"`
	AllSecs        int      `json:"allSecs"`
	CallResult     string   `json:"callresult"`
	EndResult      string   `json:"endresult"`
	UserData       userData `json:"userData"`
}

// userData is a result's userData: the tag, the contact's external id, the project and
// the task.
type userData struct {
	Tag    string `json:"tag"`
	ExtID  string `json:"extId"`
	ProID  string `json:"proid"`
	TaskID string `json:"taskid"`
}

// searchData is the data of a search answer; SearchAfter is null on the last page.
type searchData struct {
	Results     []result `json:"results"`
	SearchAfter *string  `json:"searchAfter"`
}

func showResult(c *outdial.Call, extID string) result {
	ans := unix(c.AnswerTime)
	return result{VccID: itoa(c.TenantID), ProjectID: itoa(c.ProjectID), TaskID: itoa(c.TaskID), CallID: itoa(c.ID),
		Caller: c.Caller, Called: c.Called, CalledAreacode: c.CalledAreaCode, CalledAreaname: c.CalledAreaName,
		CalledType: c.CalledType, CalledVendor: c.CalledVendor, TransCaller: c.TransCaller, TransPhone: c.TransPhone,
		TransAreacode: c.TransAreaCode, TransAreaname: c.TransAreaName, TransType: c.TransType, TransVendor: c.TransVendor,
		StartTimeEe: unix(c.StartTimeEe), RingTimeEe: unix(c.RingTimeEe), AnswerTimeEe: unix(c.AnswerTimeEe),
		EndTimeEe: unix(c.EndTimeEe), StartTime: unix(c.StartTime), RingTime: unix(c.RingTime), AnsTime: ans,
		AnswerTime: ans, EndTime: unix(c.EndTime), AnsSecs: c.AnsSecs, LinkSecs: c.LinkSecs, AllSecs: c.AllSecs,
		CallResult: strconv.Itoa(c.CallResult), EndResult: strconv.Itoa(c.EndResult),
		UserData: userData{Tag: userTag, ExtID: extID, ProID: itoa(c.ProjectID), TaskID: itoa(c.TaskID)}}
}
