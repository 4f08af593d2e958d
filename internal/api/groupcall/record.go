package groupcall

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/outdial/outdial"
)

// dateTime is the document's time format, in the task's time zone.
const dateTime = "2006-01-02 15:04:05"

// recordPage is record-list's info. page and page_size are numbers and total_count a
// string, as the document's example shows.
type recordPage struct {
	Page       int          `json:"page"`
	PageSize   int          `json:"page_size"`
	TotalPage  int          `json:"total_page"`
	TotalCount string       `json:"total_count"`
	Info       []recordWire `json:"info"`
}

// recordWire is one call of record-list.
type recordWire struct {
	Name       string `json:"name"`
	Path       string `json:"path"` // the recording, data-relative; "" when the call has none
	Address    string `json:"address"`
	StaffID    string `json:"staff_id"` // always "0": no agent is a groupcall staff member
	UpdateTime string `json:"update_time"`
	CallResult int    `json:"call_result"` // 1 connected, 2 not connected
	BatchName  string `json:"batch_name"`
	UniqueID   string `json:"uniqueid"` // the call id
}

// recordList answers one page of the task's ended calls, newest first: of today (type 1)
// or of search_date (type 2; every day before today without search_date), in the task's
// time zone.
func (h *Handler) recordList(w http.ResponseWriter, r *http.Request, t *outdial.Tenant, data json.RawMessage) error {
	q, err := parseRecordList(data)
	if err != nil {
		return err
	}
	ctx := r.Context()
	task, err := h.loadTask(ctx, t.ID, q.taskID)
	if err != nil {
		return err
	}
	loc := task.Location()
	f := outdial.CallFilter{TenantID: t.ID, TaskID: task.ID, Desc: true}
	now := h.clock.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch {
	case !q.history:
		f.From = today
	case q.date.IsZero():
		f.To = today.Add(-time.Millisecond)
	default:
		f.From = time.Date(q.date.Year(), q.date.Month(), q.date.Day(), 0, 0, 0, 0, loc)
		f.To = f.From.AddDate(0, 0, 1).Add(-time.Millisecond)
	}
	switch q.result {
	case 1:
		f.Result = outdial.ResultAnswered
	case 2:
		notConnected := 0
		f.CallResult = &notConnected
	}
	total, err := h.store.CountCalls(ctx, f)
	if err != nil {
		return err
	}
	out := recordPage{Page: q.page, PageSize: q.size, TotalPage: int((total + int64(q.size) - 1) / int64(q.size)),
		TotalCount: strconv.FormatInt(total, 10), Info: []recordWire{}}
	if skip := (q.page - 1) * q.size; int64(skip) < total {
		calls, err := h.callPage(ctx, f, skip, q.size)
		if err != nil {
			return err
		}
		if out.Info, err = h.records(ctx, t.ID, calls, loc); err != nil {
			return err
		}
	}
	h.ok(w, r, "获取成功", out)
	return nil
}

// callPage returns size calls of f after skipping skip, walking the id cursor (the store
// pages by cursor, not offset; MaxRecordOffset bounds the walk).
func (h *Handler) callPage(ctx context.Context, f outdial.CallFilter, skip, size int) ([]*outdial.Call, error) {
	const step = 1000
	for skip > 0 {
		f.Limit = min(skip, step)
		cs, err := h.store.Calls(ctx, f)
		if err != nil || len(cs) == 0 {
			return nil, err
		}
		f.After, skip = cs[len(cs)-1].ID, skip-len(cs)
		if len(cs) < f.Limit {
			return nil, nil
		}
	}
	f.Limit = size
	return h.store.Calls(ctx, f)
}

// records shows calls as record-list rows, with their contacts' names and addresses and
// their batches' names (empty when those have been deleted since).
func (h *Handler) records(ctx context.Context, tenantID int64, calls []*outdial.Call, loc *time.Location) ([]recordWire, error) {
	contacts := map[int64]*outdial.Contact{}
	batches := map[int64]string{}
	out := make([]recordWire, 0, len(calls))
	for _, c := range calls {
		ct, ok := contacts[c.ContactID]
		if !ok {
			var err error
			if ct, err = h.store.Contact(ctx, tenantID, c.ContactID); outdial.ErrorCode(err) == outdial.ENOTFOUND {
				ct = &outdial.Contact{}
			} else if err != nil {
				return nil, err
			}
			contacts[c.ContactID] = ct
		}
		name, ok := batches[c.BatchID]
		if !ok {
			b, err := h.store.Batch(ctx, tenantID, c.BatchID)
			if err == nil {
				name = b.Name
			} else if outdial.ErrorCode(err) != outdial.ENOTFOUND {
				return nil, err
			}
			batches[c.BatchID] = name
		}
		result := 2
		if c.Result == outdial.ResultAnswered {
			result = 1
		}
		end := c.EndTime
		if end.IsZero() {
			end = c.StartTime
		}
		out = append(out, recordWire{Name: ct.Name, Path: c.Recording, Address: ct.Address, StaffID: "0",
			UpdateTime: end.In(loc).Format(dateTime), CallResult: result, BatchName: name, UniqueID: idString(c.ID)})
	}
	return out, nil
}
