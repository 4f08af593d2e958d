// Package contactfile reads contact lists that customers upload (CSV, XLSX and JSON) as a
// stream of rows, one row at a time, so that a file of a million rows reads in constant
// memory (XLSX has limits of its own, see NewXLSX).
//
// Every format maps its columns (CSV and XLSX headers, JSON keys) to Row fields by name,
// case-insensitively and in Chinese or English; any other column is a variable. Problems
// with the file as a whole (no phone column, not a JSON array, an unreadable archive) are
// *outdial.Error values with code EINVALID and a message for the uploader; a problem with
// one row is a *RowError and reading goes on.
//
// Cells are trimmed (full-width spaces too) and Excel's ="0755..." text formula is undone.
// In the phone column, what spreadsheets do to numbers is undone: an apostrophe prefix, a
// trailing ".0", and scientific notation, expanded digit for digit (1.885149876E10 is
// 18851498760, 1.38001380000E10 is 13800138000). A mantissa of at most 6 significant
// digits whose exponent adds zeros is what Excel writes for a number it has rounded
// (1.88515E+10), and that row is a *RowError; a longer one (1.3800138E10) is exact.
package contactfile

import (
	"io"
	"mime"
	"path"
	"strconv"
	"strings"

	"github.com/outdial/outdial"
)

// Row is one contact as uploaded: trimmed text, not yet validated or normalised.
type Row struct {
	// Num is the row number a user sees: the line (CSV) or sheet row (XLSX) where the row
	// starts, the header being row 1 of a well-formed file; for JSON, the 1-based index in
	// the array.
	Num int

	Phone, Name, Address, Email, State, CallbackURL, ExternalID, Priority string

	// Variables holds every other column or key with a non-empty value, by its header text
	// or key; nil when there is none.
	Variables map[string]string
}

// Reader reads rows one at a time. Next returns io.EOF after the last row, a *RowError
// for one bad row (call Next again to go on), and any other error when the file cannot be
// read further. The *Row returned is reused by the next call; its strings and Variables
// map are never reused, so they may be kept.
type Reader interface {
	Next() (*Row, error)
}

// RowError reports one row that cannot be read; the rows after it still can.
type RowError struct {
	Num    int    // the row's number, as in Row.Num
	Phone  string // the row's phone as uploaded (trimmed), "" when there is none
	Field  string // the field at fault ("phone", "name", "variables" ...), "" when the row as a whole is
	Reason string // for the uploader, in plain words
}

// Error implements the error interface.
func (e *RowError) Error() string {
	return "row " + strconv.Itoa(e.Num) + ": " + e.Reason
}

// Formats that Open reads.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
	FormatJSON = "json"
)

// Open returns the Reader for format, one of FormatCSV, FormatXLSX and FormatJSON; any
// other format is an EINVALID error. Close the Reader if it implements io.Closer and is
// left before io.EOF (only XLSX readers hold temporary files).
func Open(format string, r io.Reader) (Reader, error) {
	return OpenCharset(format, "", r)
}

// OpenCharset is Open for a file whose uploader declared its character encoding (the
// charset parameter of its Content-Type): for CSV, see NewCSVCharset. XLSX and JSON
// ignore charset (a workbook says its own encoding, and JSON is UTF-8).
func OpenCharset(format, charset string, r io.Reader) (Reader, error) {
	switch format {
	case FormatCSV:
		return NewCSVCharset(r, charset)
	case FormatXLSX:
		return NewXLSX(r)
	case FormatJSON:
		return NewJSON(r)
	}
	return nil, outdial.Errorf(outdial.EINVALID, "unsupported contact file format %q: upload CSV, XLSX or JSON", format)
}

// FormatOf guesses a file's format from its name's extension or, failing that, from its
// Content-Type; it returns "" when neither says (an old .xls workbook is not supported).
func FormatOf(contentType, filename string) string {
	switch strings.ToLower(path.Ext(strings.ReplaceAll(filename, `\`, "/"))) {
	case ".csv", ".txt", ".tsv":
		return FormatCSV
	case ".xlsx", ".xlsm":
		return FormatXLSX
	case ".json":
		return FormatJSON
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	switch mt {
	case "text/csv", "application/csv", "text/comma-separated-values", "text/tab-separated-values", "text/plain":
		return FormatCSV
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return FormatXLSX
	case "application/json", "text/json":
		return FormatJSON
	}
	return ""
}
