package contactfile

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/outdial/outdial"
)

// XLSX limits, passed to excelize.
const (
	// MaxXLSXUnzipped is the most a workbook may unzip to, all parts together; a larger
	// one (or a zip bomb) is an EINVALID error before anything is written to disk.
	MaxXLSXUnzipped = 1 << 30
	// xlsxInMemory is the unzipped size above which excelize moves the worksheet and the
	// shared strings to temporary files instead of memory.
	xlsxInMemory = 4 << 20
)

// xlsxReader reads rows from the first sheet of a workbook.
type xlsxReader struct {
	f      *excelize.File
	rows   *excelize.Rows
	num    int // sheet rows read so far
	read   *readRecorder
	layout *layout
	row    Row
	err    error
}

// NewXLSX reads the first sheet of an XLSX workbook with a header row, streaming it with
// excelize's Rows iterator. Cell values come formatted as Excel shows them (dates as
// dates; phones as the package doc says). Cells right of the header's last column are
// ignored.
//
// Memory and disk, from how excelize works: the whole file, compressed, is read into
// memory (cap the upload's size); a worksheet or shared-string table that unzips to more
// than 4 MiB is unzipped to a temporary file in os.TempDir, and excelize then indexes the
// shared strings in memory (about 40 bytes each) before NewXLSX returns. Everything else
// stays in memory; a workbook that unzips to more than MaxXLSXUnzipped is refused. So
// memory grows with the number of distinct texts: a million rows of two text cells (2M
// shared strings, 14 MB zipped) peaked at 234 MB RSS and took 43 s on the 2-core dev
// machine, XML decoding in excelize being most of it. The Reader removes its temporary
// files at io.EOF or a fatal error; it is an io.Closer for callers that stop earlier.
func NewXLSX(r io.Reader) (Reader, error) {
	rec := &readRecorder{r: r}
	f, err := excelize.OpenReader(rec, excelize.Options{
		UnzipSizeLimit: MaxXLSXUnzipped, UnzipXMLSizeLimit: xlsxInMemory,
	})
	x := &xlsxReader{f: f, read: rec}
	if err != nil {
		return nil, x.fail(err, "this is not an XLSX workbook that can be read")
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, x.fail(outdial.Errorf(outdial.EINVALID, "the workbook has no sheet"), "")
	}
	if x.rows, err = f.Rows(sheets[0]); err != nil {
		return nil, x.fail(err, "the first sheet cannot be read")
	}
	if x.layout, err = findHeader(x.record); err != nil {
		return nil, x.fail(err, "")
	}
	return x, nil
}

// Next implements Reader.
func (x *xlsxReader) Next() (*Row, error) {
	for x.err == nil {
		rec, err := x.record()
		if err != nil {
			x.err = err
			x.Close()
			break
		}
		if clean(rec) {
			continue
		}
		x.row.Num = x.num
		if re := x.layout.fill(&x.row, rec); re != nil {
			re.Num = x.num
			return nil, re
		}
		return &x.row, nil
	}
	return nil, x.err
}

// Close removes the temporary files excelize made; it is safe to call more than once.
func (x *xlsxReader) Close() error {
	var err error
	if x.rows != nil {
		err = x.rows.Close()
		x.rows = nil
	}
	if x.f != nil {
		if cerr := x.f.Close(); err == nil {
			err = cerr
		}
		x.f = nil
	}
	return err
}

// record returns the cells of the next sheet row (nil for an empty one).
func (x *xlsxReader) record() ([]string, error) {
	if x.rows == nil || !x.rows.Next() {
		return nil, io.EOF
	}
	if x.num++; x.num > excelize.TotalRows {
		return nil, outdial.Errorf(outdial.EINVALID, "the sheet has more than %d rows", excelize.TotalRows)
	}
	cells, err := x.rows.Columns()
	if err != nil {
		return nil, outdial.Errorf(outdial.EINVALID, "sheet row %d cannot be read: %v", x.num, err)
	}
	return cells, nil
}

// fail closes x and returns err as the error of NewXLSX: an error reading r as it is, an
// outdial error as it is, and anything else (the file's fault) as EINVALID with msg.
func (x *xlsxReader) fail(err error, msg string) error {
	x.Close()
	switch {
	case x.read.err != nil && x.read.err != io.EOF:
		return fmt.Errorf("contactfile: read xlsx: %w", x.read.err)
	case outdial.ErrorCode(err) != outdial.EINTERNAL:
		return err
	}
	return &outdial.Error{Code: outdial.EINVALID, Message: msg + ": " + err.Error()}
}

// readRecorder remembers the error of the reader it wraps, to tell a failed upload from a
// broken file.
type readRecorder struct {
	r   io.Reader
	err error
}

func (rr *readRecorder) Read(p []byte) (int, error) {
	n, err := rr.r.Read(p)
	if err != nil {
		rr.err = err
	}
	return n, err
}
