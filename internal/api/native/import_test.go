package native

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// wantImport checks an import answer's counts and its failures as "row:field".
func wantImport(t *testing.T, r *reply, success, dup, fail int, failures ...string) importOut {
	t.Helper()
	var out importOut
	r.ok(t, http.StatusOK, &out)
	if out.SuccessCount != success || out.DuplicateCount != dup || out.FailCount != fail {
		t.Fatalf("counts = %d/%d/%d, want %d/%d/%d: %s", out.SuccessCount, out.DuplicateCount, out.FailCount, success, dup, fail, r.body)
	}
	var got []string
	for _, f := range out.Failures {
		if f.Reason == "" {
			t.Errorf("failure of row %d has no reason", f.Row)
		}
		got = append(got, path("%d:%s", f.Row, f.Field))
	}
	if strings.Join(got, " ") != strings.Join(failures, " ") {
		t.Fatalf("failures = %v, want %v: %s", got, failures, r.body)
	}
	return out
}

// The fixture rows: 2 new, 1 duplicate of row 2, and bad rows 4 (invalid number), 5 (state
// over 60 bytes), 6 (no phone), 7 (callback URL), 9 (priority).
var fixtureFailures = []string{"4:phone", "5:state", "6:phone", "7:callback_url", "9:priority"}

func TestImportFiles(t *testing.T) {
	utf8CSV, err := os.ReadFile("testdata/contacts.csv")
	if err != nil {
		t.Fatal(err)
	}
	gbkCSV, err := os.ReadFile("testdata/contacts_gbk.csv")
	if err != nil {
		t.Fatal(err)
	}
	xlsx := makeXLSX(t, string(utf8CSV))
	cases := []struct {
		name, contentType string
		body              func() []byte
	}{
		{"csv utf-8", "text/csv", func() []byte { return utf8CSV }},
		{"csv gbk", "text/csv; charset=gbk", func() []byte { return gbkCSV }},
		{"xlsx", xlsxType, func() []byte { return xlsx }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			a := e.newTenant("acme")
			w := a.world(t)
			url := path("/api/v1/batches/%d/contacts", w.batch)
			wantImport(t, e.send(a, "POST", url, tc.body(), tc.contentType), 2, 1, 5, fixtureFailures...)
			// The same file again: every good row is now a duplicate of the batch.
			wantImport(t, e.send(a, "POST", url, tc.body(), tc.contentType), 0, 3, 5, fixtureFailures...)
			var list page[contactOut]
			a.do("GET", path("/api/v1/contacts?batch_id=%d&phone=%s", w.batch, "%2B86%20188-5149-8762"), nil).ok(t, http.StatusOK, &list)
			if len(list.Data) != 1 || list.Data[0].Phone != "18851498762" || list.Data[0].Name != "张三" ||
				list.Data[0].State != "vip" || list.Data[0].Priority != 5 || list.Data[0].Status != "pending" ||
				list.Data[0].AreaCode == "" || list.Data[0].NumberType != "MOBILE" {
				t.Fatalf("contact by phone = %+v", list.Data)
			}
		})
	}
}

// makeXLSX writes the CSV text as the first sheet of a workbook.
func makeXLSX(t *testing.T, csv string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, line := range strings.Split(strings.TrimSpace(csv), "\n") {
		cells := strings.Split(line, ",")
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportJSON(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	w := a.world(t)
	body := `[
		{"phone": "188 5149 8762", "name": "张三", "variables": {"order": "A-1"}, "amount": 12},
		{"phone": "+8618851498762"},
		{"phone": "12345"},
		{"phone": 13800000001, "state": "` + strings.Repeat("x", 61) + `"},
		{"name": "no phone"},
		{"phone": "13800000002", "email": "not an email"},
		"not an object",
		{"phone": "13800000003", "callbackUrl": "https://example.com/cb", "externalId": "ext-9"},
		{"phone": "13800000003"}
	]`
	wantImport(t, e.send(a, "POST", path("/api/v1/batches/%d/contacts", w.batch), body, "application/json"),
		2, 2, 5, "3:phone", "4:state", "5:phone", "6:email", "7:")
	var list page[contactOut]
	a.do("GET", path("/api/v1/contacts?task_id=%d", w.task), nil).ok(t, http.StatusOK, &list)
	if len(list.Data) != 2 {
		t.Fatalf("contacts = %+v", list.Data)
	}
	c := list.Data[0]
	if c.Variables["order"] != "A-1" || c.Variables["amount"] != "12" || list.Data[1].ExternalID != "ext-9" ||
		list.Data[1].CallbackURL != "https://example.com/cb" || c.LastCallID != nil || c.NextAttemptAt == nil {
		t.Fatalf("contacts = %+v", list.Data)
	}
	var p struct{ Total, Pending int64 }
	a.do("GET", path("/api/v1/tasks/%d/progress", w.task), nil).ok(t, http.StatusOK, &p)
	if p.Total != 2 || p.Pending != 2 {
		t.Fatalf("progress = %+v", p)
	}
	var b batchOut
	a.do("GET", path("/api/v1/batches/%d", w.batch), nil).ok(t, http.StatusOK, &b)
	if b.Size != 2 {
		t.Fatalf("batch size = %d", b.Size)
	}

	// One contact read and deleted.
	item := path("/api/v1/contacts/%d", c.ID)
	a.do("GET", item, nil).ok(t, http.StatusOK, nil)
	a.do("DELETE", item, nil).ok(t, http.StatusNoContent, nil)
	a.do("GET", item, nil).fails(t, http.StatusNotFound, "not_found", "")
	a.do("GET", path("/api/v1/tasks/%d/progress", w.task), nil).ok(t, http.StatusOK, &p)
	if p.Total != 1 {
		t.Fatalf("progress after delete = %+v", p)
	}
}

// multipartBody builds a form with a field and a file part.
func multipartBody(t *testing.T, filename, partType string, content []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("note", "before the file")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+filename+`"`)
	h.Set("Content-Type", partType)
	pw, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	pw.Write(content)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func TestImportMultipart(t *testing.T) {
	csv, _ := os.ReadFile("testdata/contacts_gbk.csv")
	xlsx := makeXLSX(t, "phone,name\n13800000001,a\n13800000001,b\nbad,c\n")
	e := newEnv(t)
	a := e.newTenant("acme")
	w := a.world(t)
	url := path("/api/v1/batches/%d/contacts", w.batch)

	body, ct := multipartBody(t, "名单.csv", "application/octet-stream", csv)
	wantImport(t, e.send(a, "POST", url, body, ct), 2, 1, 5, fixtureFailures...)
	body, ct = multipartBody(t, "list", xlsxType, xlsx) // no extension: the part's type says
	wantImport(t, e.send(a, "POST", url, body, ct), 1, 1, 1, "4:phone")

	body, ct = multipartBody(t, "list.bin", "application/octet-stream", csv)
	e.send(a, "POST", url, body, ct).fails(t, http.StatusBadRequest, "invalid", "file")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("other", "x")
	mw.Close()
	e.send(a, "POST", url, buf.Bytes(), mw.FormDataContentType()).fails(t, http.StatusBadRequest, "invalid", "file")
}

func TestImportRefused(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	w := a.world(t)
	url := path("/api/v1/batches/%d/contacts", w.batch)
	e.h.maxUpload = 4096
	big := "phone\n" + strings.Repeat("13800000001\n", 1000)
	cases := []struct {
		name, contentType string
		body              any
		status            int
		code              string
	}{
		{"no phone column", "text/csv", "name,address\na,b\n", 400, "invalid"},
		{"not a json array", "application/json", `{"phone":"13800000001"}`, 400, "invalid"},
		{"no content type", "", "phone\n13800000001\n", 400, "invalid"},
		{"unsupported type", "image/png", "phone\n13800000001\n", 400, "invalid"},
		{"not a workbook", xlsxType, "phone\n13800000001\n", 400, "invalid"},
		{"over the limit, with a length", "text/csv", big, 413, "too_large"},
		{"over the limit, streamed", "text/csv", io.MultiReader(strings.NewReader(big)), 413, "too_large"},
		{"unknown batch", "text/csv", "phone\n13800000001\n", 404, "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := url
			if tc.code == "not_found" {
				u = path("/api/v1/batches/%d/contacts", w.batch+100)
			}
			r := e.send(a, "POST", u, tc.body, tc.contentType)
			if tc.contentType == "" {
				// send sets JSON by default; ask again without any type.
				req, _ := http.NewRequest("POST", e.srv.URL+u, strings.NewReader("phone\n1\n"))
				req.Header.Set("Authorization", "Bearer "+a.token)
				res, err := e.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				r = &reply{status: res.StatusCode, body: b}
			}
			r.fails(t, tc.status, tc.code, "")
		})
	}
	var list page[contactOut]
	a.do("GET", "/api/v1/contacts", nil).ok(t, http.StatusOK, &list)
	if len(list.Data) != 0 {
		t.Fatalf("refused uploads stored %d contacts", len(list.Data))
	}
}
