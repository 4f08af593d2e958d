package telrobot

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/contactfile"
	"github.com/outdial/outdial/internal/contactimport"
)

// Limits of one customer import: rows and body bytes. Beyond either the answer is 413.
const (
	MaxCustomers   = 10000
	MaxImportBytes = 8 << 20
)

// batchName names the batch that holds the customers imported into a task through this
// dialect: one per task, so a number imported twice is a duplicate.
const batchName = "telrobot"

// importOut is the answer of an import: what happened to each customer.
type importOut struct {
	SuccessCount   int           `json:"success_count"`
	DuplicateCount int           `json:"duplicate_count"`
	FailCount      int           `json:"fail_count"`
	Failures       []failureWire `json:"failures"`
}

// failureWire is one refused customer: its 1-based index in the list, its phone as sent,
// the field at fault ("" for the whole row) and why.
type failureWire struct {
	Row    int    `json:"row"`
	Phone  string `json:"phone"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// importCustomers answers POST /v1/task/import_task_customer/{task_id}.
func (h *Handler) importCustomers(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	task, err := h.taskOf(r, "task_id", t)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxImportBytes))
	if err != nil {
		return bodyError(err, MaxImportBytes)
	}
	rows, failures, err := parseCustomers(b)
	if err != nil {
		return err
	}
	batch, err := h.batchOf(r.Context(), task)
	if err != nil {
		return err
	}
	res, err := h.importer.ImportRows(r.Context(), batch, rows)
	if err != nil {
		return err
	}
	ours := len(failures)
	for _, f := range res.Failures {
		failures = append(failures, failureWire(f))
	}
	slices.SortStableFunc(failures, func(a, b failureWire) int { return a.Row - b.Row })
	out := importOut{SuccessCount: res.SuccessCount, DuplicateCount: res.DuplicateCount,
		FailCount: res.FailCount + ours, Failures: failures}
	if len(out.Failures) > contactimport.MaxFailures {
		out.Failures = out.Failures[:contactimport.MaxFailures]
	}
	if out.Failures == nil {
		out.Failures = []failureWire{}
	}
	if res.SuccessCount > 0 && task.Status == outdial.TaskRunning {
		h.wake()
	}
	h.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// batchOf finds the task's telrobot batch, creating it on the first import (the store
// makes concurrent first imports, on any node, share one).
func (h *Handler) batchOf(ctx context.Context, task *outdial.Task) (*outdial.Batch, error) {
	return h.store.BatchNamed(ctx, task.TenantID, task.ID, batchName)
}

// parseCustomers decodes an import body, {"customers": [...]} or the bare list. A body
// that is not such a list is refused as a whole; a customer that cannot be read is a
// failure of its row, and the others are returned to import.
func parseCustomers(b []byte) ([]*contactfile.Row, []failureWire, error) {
	var list []json.RawMessage
	trimmed := bytes.TrimSpace(b)
	switch {
	case len(trimmed) == 0:
		return nil, nil, outdial.Errorf(outdial.EINVALID, `the request body is empty: send {"customers": [...]}`)
	case trimmed[0] == '[':
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return nil, nil, outdial.Errorf(outdial.EINVALID, "malformed JSON: %v", err)
		}
	default:
		f, err := jsonFields(trimmed)
		if err != nil {
			return nil, nil, err
		}
		var fe fieldErrors
		f.unknown(&fe, map[string]bool{"customers": true}, nil)
		f.required(&fe, "customers")
		if err := fe.err(); err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal(f["customers"], &list); err != nil {
			return nil, nil, outdial.FieldErrorf("customers", "customers must be a list of customers")
		}
	}
	switch {
	case len(list) == 0:
		return nil, nil, outdial.FieldErrorf("customers", "customers is empty: send at least one customer")
	case len(list) > MaxCustomers:
		return nil, nil, outdial.Errorf(outdial.ETOOLARGE, "%d customers: at most %d per request", len(list), MaxCustomers)
	}
	rows := make([]*contactfile.Row, 0, len(list))
	var failures []failureWire
	for i, raw := range list {
		row, fail := parseCustomer(raw)
		if fail != nil {
			fail.Row = i + 1
			failures = append(failures, *fail)
			continue
		}
		row.Num = i + 1
		rows = append(rows, row)
	}
	return rows, failures, nil
}

// customerKeys are the fields of one customer.
var customerKeys = map[string]bool{"phone": true, "name": true, "variables": true}

// parseCustomer reads one customer: phone (a string, or a whole JSON number), name, and
// variables for the script (values strings, numbers or booleans).
func parseCustomer(raw json.RawMessage) (*contactfile.Row, *failureWire) {
	f, err := jsonFields(raw)
	if err != nil {
		return nil, &failureWire{Reason: "a customer must be a JSON object"}
	}
	var fe fieldErrors
	f.unknown(&fe, customerKeys, nil)
	row := &contactfile.Row{Name: f.str("name", &fe)}
	if f.present("phone") {
		p := bytes.TrimSpace(f["phone"])
		if len(p) > 0 && p[0] != '"' {
			if n, err := strconv.ParseUint(string(p), 10, 64); err == nil {
				row.Phone = strconv.FormatUint(n, 10)
			} else {
				fe.add("phone", "phone must be a string of digits")
			}
		} else {
			row.Phone = f.str("phone", &fe)
		}
	}
	if f.present("variables") {
		var vars map[string]any
		dec := json.NewDecoder(bytes.NewReader(f["variables"]))
		dec.UseNumber()
		if err := dec.Decode(&vars); err != nil {
			fe.add("variables", "variables must be an object of names to values")
		}
		for k, v := range vars {
			if row.Variables == nil {
				row.Variables = map[string]string{}
			}
			switch v := v.(type) {
			case nil:
			case string:
				row.Variables[k] = v
			case json.Number:
				row.Variables[k] = v.String()
			case bool:
				row.Variables[k] = strconv.FormatBool(v)
			default:
				fe.add("variables", "variable %q must be a string, a number or a boolean", k)
			}
		}
	}
	if len(fe) > 0 {
		return nil, &failureWire{Phone: cut(row.Phone, 64), Field: fe[0].Field, Reason: fe[0].Message}
	}
	return row, nil
}

// cut shortens s to at most n bytes.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
