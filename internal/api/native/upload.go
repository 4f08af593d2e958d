package native

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/contactfile"
	"github.com/outdial/outdial/internal/contactimport"
)

// Upload limits of contact imports. An upload is read as a stream, so its size costs
// time, not memory; an XLSX workbook is the exception (it is read whole, compressed, into
// memory), hence its lower limit. Beyond a limit the answer is 413.
const (
	MaxUploadBytes = 256 << 20
	MaxXLSXBytes   = 64 << 20
)

// importOut is the answer of a contact import.
type importOut struct {
	SuccessCount   int           `json:"successCount"`
	DuplicateCount int           `json:"duplicateCount"`
	FailCount      int           `json:"failCount"`
	Failures       []failureWire `json:"failures"`
}

// failureWire is one refused row: its number as the uploader sees it (the CSV line or
// sheet row, the header being row 1; the 1-based element index in a JSON array), the
// phone as uploaded, the field at fault ("" when the row as a whole is) and why.
type failureWire struct {
	Row    int    `json:"row"`
	Phone  string `json:"phone"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (h *Handler) importRoute() route {
	return route{method: "POST", pattern: "/api/v1/batches/{id}/contacts", upload: true, out: importOut{},
		summary: "Import contacts into a batch from JSON, CSV (UTF-8 or GBK), XLSX or a multipart file part",
		handle:  h.importContacts}
}

// recorder remembers the first read error of the upload it wraps, to tell an upload cut
// short from a bad file or a store fault.
type recorder struct {
	r   io.Reader
	err error
}

func (rc *recorder) Read(p []byte) (int, error) {
	n, err := rc.r.Read(p)
	if err != nil && err != io.EOF && rc.err == nil {
		rc.err = err
	}
	return n, err
}

func (h *Handler) importContacts(w http.ResponseWriter, r *http.Request, t *outdial.Tenant) error {
	id, err := pathID(r, "batch")
	if err != nil {
		return err
	}
	b, err := h.store.Batch(r.Context(), t.ID, id)
	if err != nil {
		return err
	}
	if r.ContentLength > h.maxUpload {
		return uploadTooLarge(h.maxUpload)
	}
	body := &limitedReader{r: r.Body, n: h.maxUpload, max: h.maxUpload}
	src, format, charset, err := uploadSource(r.Header.Get("Content-Type"), body)
	if err != nil {
		if body.over {
			return uploadTooLarge(h.maxUpload)
		}
		return err
	}
	up := &upload{limit: body, src: &recorder{r: src}}
	if format == contactfile.FormatXLSX {
		up.limit = &limitedReader{r: src, n: h.maxXLSX, max: h.maxXLSX}
		up.src.r = up.limit
	}
	rd, err := contactfile.OpenCharset(format, charset, up.src)
	if err != nil {
		return up.error(err, contactimport.Result{})
	}
	if c, ok := rd.(io.Closer); ok {
		defer c.Close()
	}
	res, err := h.importer.Import(r.Context(), b, rd)
	if err != nil {
		return up.error(err, res)
	}
	out := importOut{SuccessCount: res.SuccessCount, DuplicateCount: res.DuplicateCount, FailCount: res.FailCount,
		Failures: make([]failureWire, len(res.Failures))}
	for i, f := range res.Failures {
		out.Failures[i] = failureWire(f)
	}
	h.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// uploadSource returns the contact file of the body, its format and the charset its
// uploader declared ("" if none; for CSV it wins over the sniffed encoding), from the
// request's Content-Type or, for multipart/form-data, from the "file" part's.
func uploadSource(contentType string, body io.Reader) (io.Reader, string, string, error) {
	if contentType == "" {
		return nil, "", "", outdial.Errorf(outdial.EINVALID, "missing Content-Type: send application/json, text/csv, "+
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or multipart/form-data")
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, "", "", outdial.Errorf(outdial.EINVALID, "malformed Content-Type %q", contentType)
	}
	if mt != "multipart/form-data" {
		format := contactfile.FormatOf(contentType, "")
		if format == "" {
			return nil, "", "", outdial.Errorf(outdial.EINVALID, "unsupported Content-Type %q: send application/json, text/csv, "+
				"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or multipart/form-data", mt)
		}
		return body, format, params["charset"], nil
	}
	if params["boundary"] == "" {
		return nil, "", "", outdial.Errorf(outdial.EINVALID, "multipart/form-data without a boundary")
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, "", "", outdial.FieldErrorf("file", "the multipart form has no part named \"file\"")
		} else if err != nil {
			return nil, "", "", outdial.Errorf(outdial.EINVALID, "malformed multipart/form-data: %v", err)
		}
		if part.FormName() != "file" {
			continue
		}
		partType := part.Header.Get("Content-Type")
		format := contactfile.FormatOf(partType, part.FileName())
		if format == "" {
			return nil, "", "", outdial.FieldErrorf("file", "cannot tell the format of %q: name it .csv, .xlsx or .json, "+
				"or give the part a Content-Type", part.FileName())
		}
		charset := ""
		if _, params, err := mime.ParseMediaType(partType); err == nil {
			charset = params["charset"]
		}
		return part, format, charset, nil
	}
}

// upload is the stream a contact file is read from.
type upload struct {
	limit *limitedReader // the limit that applies (the XLSX one for workbooks)
	src   *recorder
}

// error turns what stopped an import into the caller's error: 413 past the limit, 400
// for an upload that could not be read to its end, the file's own EINVALID, or else the
// store's fault as it is. When contacts were stored already, the message says so.
func (up *upload) error(err error, res contactimport.Result) error {
	var e *outdial.Error
	switch {
	case up.limit.over || errors.Is(err, errTooLarge):
		e = uploadTooLarge(up.limit.max)
	case up.src.err != nil:
		e = outdial.Errorf(outdial.EINVALID, "the upload could not be read to its end: %v", up.src.err)
	case errors.As(err, &e):
		e = &outdial.Error{Code: e.Code, Message: e.Message, Field: e.Field}
	default:
		return err
	}
	if n := res.SuccessCount; n > 0 {
		e.Message += fmt.Sprintf(" (the %d contacts stored before this stay in the batch)", n)
	}
	return e
}

func uploadTooLarge(limit int64) *outdial.Error {
	if limit < 1<<20 {
		return outdial.Errorf(outdial.ETOOLARGE, "the upload is over the limit of %d bytes", limit)
	}
	return outdial.Errorf(outdial.ETOOLARGE, "the upload is over the limit of %d MiB", limit>>20)
}
