package groupcall

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/contactfile"
)

// Limits of the dialect's requests.
const (
	// MaxUploadRows is the most rows one upload-data request may carry.
	MaxUploadRows = 10000
	// DefaultPageSize and MaxPageSize bound record-list's page_size.
	DefaultPageSize = 10
	MaxPageSize     = 100
	// MaxRecordOffset bounds how deep record-list pages: (page-1)*page_size at most this.
	MaxRecordOffset = 100000
)

// taskData is the data of task-info, task-bound-batch-id-list, task-start and task-stop.
type taskData struct {
	ID text `json:"id"`
}

// batchAddData is the data of batch-add.
type batchAddData struct {
	ID   text   `json:"id"`
	Name string `json:"name"`
}

// uploadData is the data of upload-data.
type uploadData struct {
	ID       text        `json:"id"`
	BatchID  text        `json:"batch_id"`
	DataList []uploadRow `json:"data_list"`
}

// uploadRow is one contact of upload-data's data_list.
type uploadRow struct {
	Name        string `json:"name"`
	Phone       text   `json:"phone"`
	Address     string `json:"address"`
	State       string `json:"state"`
	CallbackURL string `json:"callback_url"`
	Email       string `json:"email"`
}

// recordListData is the data of record-list.
type recordListData struct {
	ID         text `json:"id"`
	Type       text `json:"type"`
	SearchDate text `json:"search_date"`
	CallResult text `json:"call_result"`
	Page       text `json:"page"`
	PageSize   text `json:"page_size"`
}

// pathData is the data of record-download and record-url.
type pathData struct {
	Path string `json:"path"`
}

// parseID reads a required id ("59"): a positive whole number.
func parseID(field string, v text) (int64, error) {
	if v == "" {
		return 0, outdial.FieldErrorf(field, "%s is required", field)
	}
	id, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != string(v) {
		return 0, outdial.FieldErrorf(field, "%s must be an id like \"59\", not %q", field, cut(string(v), 40))
	}
	return id, nil
}

// parseTask reads the data of the routes that name one task.
func parseTask(data json.RawMessage) (int64, error) {
	var d taskData
	if err := decodeData(data, &d); err != nil {
		return 0, err
	}
	return parseID("data.id", d.ID)
}

// parseBatchAdd reads batch-add's data into a batch to create (tenant not set).
func parseBatchAdd(data json.RawMessage) (*outdial.Batch, error) {
	var d batchAddData
	if err := decodeData(data, &d); err != nil {
		return nil, err
	}
	id, err := parseID("data.id", d.ID)
	if err != nil {
		return nil, err
	}
	b := &outdial.Batch{TaskID: id, Name: d.Name}
	if err := b.Validate(); err != nil {
		return nil, outdial.FieldErrorf("data.name", "data.name must be 1 to 200 bytes")
	}
	return b, nil
}

// upload is upload-data's request, read.
type upload struct {
	taskID, batchID int64
	rows            []*contactfile.Row
}

// parseUpload reads upload-data's data; rows are numbered from 1 in data_list order.
func parseUpload(data json.RawMessage) (upload, error) {
	var d uploadData
	var u upload
	if err := decodeData(data, &d); err != nil {
		return u, err
	}
	var err error
	if u.taskID, err = parseID("data.id", d.ID); err != nil {
		return u, err
	}
	if u.batchID, err = parseID("data.batch_id", d.BatchID); err != nil {
		return u, err
	}
	switch {
	case d.DataList == nil:
		return u, outdial.FieldErrorf("data.data_list", "data.data_list is required: an array of contacts")
	case len(d.DataList) > MaxUploadRows:
		return u, outdial.Errorf(outdial.ETOOLARGE, "data.data_list has %d rows, at most %d per request", len(d.DataList), MaxUploadRows)
	}
	u.rows = make([]*contactfile.Row, len(d.DataList))
	for i, r := range d.DataList {
		u.rows[i] = &contactfile.Row{Num: i + 1, Phone: string(r.Phone), Name: r.Name, Address: r.Address,
			State: r.State, CallbackURL: r.CallbackURL, Email: r.Email}
	}
	return u, nil
}

// recordQuery is record-list's request, read.
type recordQuery struct {
	taskID     int64
	history    bool      // type 2
	date       time.Time // search_date as a UTC civil date; zero when not given
	result     int       // 0 any, 1 connected, 2 not connected
	page, size int
}

// parseRecordList reads record-list's data.
func parseRecordList(data json.RawMessage) (recordQuery, error) {
	var d recordListData
	q := recordQuery{page: 1, size: DefaultPageSize}
	if err := decodeData(data, &d); err != nil {
		return q, err
	}
	var err error
	if q.taskID, err = parseID("data.id", d.ID); err != nil {
		return q, err
	}
	switch d.Type {
	case "", "1":
	case "2":
		q.history = true
	default:
		return q, outdial.FieldErrorf("data.type", "data.type must be \"1\" (today) or \"2\" (history)")
	}
	if d.SearchDate != "" {
		if q.date, err = time.Parse("2006-01-02", string(d.SearchDate)); err != nil {
			return q, outdial.FieldErrorf("data.search_date", "data.search_date must be a date like \"2022-03-28\"")
		}
	}
	switch d.CallResult {
	case "":
	case "1", "2":
		q.result = int(d.CallResult[0] - '0')
	default:
		return q, outdial.FieldErrorf("data.call_result", "data.call_result must be \"1\" (connected) or \"2\" (not connected)")
	}
	if q.page, err = parseCount("data.page", d.Page, 1, 1, MaxRecordOffset+1); err != nil {
		return q, err
	}
	if q.size, err = parseCount("data.page_size", d.PageSize, DefaultPageSize, 1, MaxPageSize); err != nil {
		return q, err
	}
	if (q.page-1)*q.size > MaxRecordOffset {
		return q, outdial.FieldErrorf("data.page", "pages reach %d records deep at most; narrow the search by date or call_result", MaxRecordOffset)
	}
	return q, nil
}

// parseCount reads an optional whole number from lo to hi (def when absent).
func parseCount(field string, v text, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n < lo || n > hi {
		return 0, outdial.FieldErrorf(field, "%s must be a whole number from %d to %d", field, lo, hi)
	}
	return n, nil
}

// parsePath reads the data of record-download and record-url.
func parsePath(data json.RawMessage) (string, error) {
	var d pathData
	if err := decodeData(data, &d); err != nil {
		return "", err
	}
	if d.Path == "" {
		return "", outdial.FieldErrorf("data.path", "data.path is required: a path from record-list")
	}
	return d.Path, nil
}

// cut shortens s to at most n bytes for a message.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}
