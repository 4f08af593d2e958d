package contactfile

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/outdial/outdial"
)

// field is a Row field a column can map to.
type field int

const (
	fieldPhone field = iota
	fieldName
	fieldAddress
	fieldEmail
	fieldState
	fieldCallbackURL
	fieldExternalID
	fieldPriority
	numFields
)

// fieldNames are the fields' names in a RowError, as the import reports them.
var fieldNames = [numFields]string{"phone", "name", "address", "email", "state", "callback_url", "external_id", "priority"}

// aliases maps a header or key, as normKey leaves it, to its field.
var aliases = func() map[string]field {
	names := [numFields][]string{
		fieldPhone: {"phone", "mobile", "tel", "telephone", "number", "phonenumber", "mobilephone",
			"mobilenumber", "cellphone", "手机", "手机号", "手机号码", "电话", "电话号码", "号码", "被叫号码"},
		fieldName:        {"name", "姓名", "名字", "客户名称", "客户姓名"},
		fieldAddress:     {"address", "地址"},
		fieldEmail:       {"email", "邮箱", "电子邮箱"},
		fieldState:       {"state", "自定义参数", "状态"},
		fieldCallbackURL: {"callbackurl", "callback", "回调地址"},
		fieldExternalID:  {"externalid", "extid", "外部编号", "客户编号"},
		fieldPriority:    {"priority", "优先级"},
	}
	m := make(map[string]field)
	for f, ns := range names {
		for _, n := range ns {
			m[n] = field(f)
		}
	}
	return m
}()

// phoneHeaders is what the error for a file without a phone column suggests.
const phoneHeaders = "phone, mobile, tel, 手机号, 电话 or 号码"

// normKey folds a header or key for matching: lower case, without spaces, '_', '-', '*',
// ':' and notes in brackets, so "Callback_URL", "e-mail", "*手机号（必填）" all match.
func normKey(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range strings.TrimSpace(s) {
		switch r {
		case '(', '（', '[', '【':
			depth++
		case ')', '）', ']', '】':
			if depth > 0 {
				depth--
			}
		case ' ', '_', '-', '*', ':', '：', '\u3000':
		default:
			if depth == 0 {
				b.WriteRune(unicode.ToLower(r))
			}
		}
	}
	return b.String()
}

// variable is a column that becomes a Row variable.
type variable struct {
	col  int
	name string
}

// layout says which column holds what, from the header row.
type layout struct {
	cols   [numFields]int // column of each field, -1 when absent
	vars   []variable
	width  int  // columns in the header, up to the last named one
	strict bool // cells right of the header are a RowError (CSV), not ignored (XLSX)
}

// newLayout reads a cleaned header row; ok is false when it names no phone column.
func newLayout(header []string) (l *layout, ok bool) {
	l = &layout{}
	for i := range l.cols {
		l.cols[i] = -1
	}
	for col, h := range header {
		if h == "" {
			continue // a column without a header is ignored
		}
		l.width = col + 1
		if f, known := aliases[normKey(h)]; known && l.cols[f] < 0 {
			l.cols[f] = col
			continue
		}
		if !utf8.ValidString(h) {
			h = strings.ToValidUTF8(h, "\uFFFD")
		}
		l.vars = append(l.vars, variable{col: col, name: h})
	}
	return l, l.cols[fieldPhone] >= 0
}

// maxTitleRows is how many title rows may come before the header.
const maxTitleRows = 10

// findHeader reads rows with next up to the header, the first non-blank row that names a
// phone column, and returns its layout. Up to maxTitleRows rows of at most two cells (a
// title, a date: spreadsheets often have them) may come first; any other row without a
// phone column is taken as the header, and that is a fatal error.
func findHeader(next func() ([]string, error)) (*layout, error) {
	var named []string // the row the error names: the first, or the one that ends the search
	for titles := 0; titles <= maxTitleRows; titles++ {
		rec, err := nextNonBlank(next)
		if errors.Is(err, io.EOF) && named == nil {
			return nil, outdial.Errorf(outdial.EINVALID, "the contact file is empty: it needs a header row naming a phone column")
		} else if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
		if l, ok := newLayout(rec); ok {
			return l, nil
		}
		cells := 0
		for _, c := range rec {
			if c != "" {
				cells++
			}
		}
		if named == nil || cells > 2 {
			named = append([]string(nil), rec...)
		}
		if cells > 2 {
			break
		}
	}
	names := strings.Join(named, ", ")
	if len(names) > 200 {
		names = strings.ToValidUTF8(names[:200], "") + "..."
	}
	return nil, outdial.Errorf(outdial.EINVALID,
		"no phone column: the header row (%s) must name one of %s", names, phoneHeaders)
}

// nextNonBlank returns the next row from next that has a non-empty cell, cleaned.
func nextNonBlank(next func() ([]string, error)) ([]string, error) {
	for {
		rec, err := next()
		if err != nil || !clean(rec) {
			return rec, err
		}
	}
}

// clean applies cleanCell to every cell of rec, in place, and reports whether all of
// them are empty.
func clean(rec []string) (blank bool) {
	blank = true
	for i, c := range rec {
		if c = cleanCell(c); c != "" {
			blank = false
		}
		rec[i] = c
	}
	return blank
}

// fill sets row from one cleaned, non-blank record laid out as l. It returns a RowError
// (its Num left to the caller) when the phone may have lost digits or, if l.strict, when
// a cell to the right of the header's last column is not empty.
func (l *layout) fill(row *Row, rec []string) *RowError {
	*row = Row{Num: row.Num}
	get := func(f field) string {
		if c := l.cols[f]; c >= 0 && c < len(rec) {
			return rec[c]
		}
		return ""
	}
	if l.strict {
		n := len(rec)
		for n > l.width && rec[n-1] == "" {
			n--
		}
		if n > l.width {
			return &RowError{Phone: get(fieldPhone), Reason: "the row has " + strconv.Itoa(n) +
				" fields but the header only " + strconv.Itoa(l.width) + " (is there a comma in an unquoted field?)"}
		}
	}
	var reason string
	if row.Phone, reason = cleanPhone(get(fieldPhone)); reason != "" {
		return &RowError{Phone: get(fieldPhone), Field: fieldNames[fieldPhone], Reason: reason}
	}
	row.Name = get(fieldName)
	row.Address = get(fieldAddress)
	row.Email = get(fieldEmail)
	row.State = get(fieldState)
	row.CallbackURL = get(fieldCallbackURL)
	row.ExternalID = get(fieldExternalID)
	row.Priority = get(fieldPriority)
	for _, v := range l.vars {
		if v.col >= len(rec) {
			continue
		}
		if c := rec[v.col]; c != "" {
			if row.Variables == nil {
				row.Variables = make(map[string]string, len(l.vars))
			}
			row.Variables[v.name] = c
		}
	}
	return nil
}
