package phoneinfo

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// kind says which normalised form a number has.
type kind uint8

const (
	kindMobile  kind = iota + 1 // Chinese mobile, 11 national digits
	kindFixed                   // Chinese landline, trunk 0 + national digits
	kindForeign                 // any other country, E.164
)

// number is one parsed, valid number.
type number struct {
	norm string                    // the normalised form
	nsn  string                    // Chinese national significant number (no trunk 0)
	kind kind                      // which form norm has
	pn   *phonenumbers.PhoneNumber // foreign numbers only
}

// maxDigits bounds the digits read from one input: "00", a country code and
// a 15-digit E.164 number fit, with room to spare for a Chinese carrier code.
const maxDigits = 20

// digits is the digits of one input, with whether it started with "+".
type digits struct {
	buf  [maxDigits]byte
	n    int
	plus bool
}

// scan reads the digits of raw, tolerating separators and full-width forms;
// why is non-empty when raw cannot be a phone number at all.
func scan(raw string) (d digits, why string) {
	for _, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			if d.n == maxDigits {
				return d, "is too long to be a phone number"
			}
			d.buf[d.n] = byte(r)
			d.n++
		case r >= '０' && r <= '９':
			if d.n == maxDigits {
				return d, "is too long to be a phone number"
			}
			d.buf[d.n] = byte('0' + r - '０')
			d.n++
		case r == '+' || r == '＋':
			if d.n > 0 || d.plus {
				return d, "has a + that is not at the start"
			}
			d.plus = true
		case isSeparator(r):
		case unicode.IsLetter(r):
			return d, "contains letters"
		default:
			return d, fmt.Sprintf("contains %q, which a phone number cannot have", r)
		}
	}
	switch {
	case d.n == 0 && strings.TrimSpace(raw) == "":
		return d, "is empty"
	case d.n == 0:
		return d, "has no digits"
	case d.n < 6:
		return d, "is too short to be a phone number"
	}
	return d, ""
}

// isSeparator reports whether r may stand between the digits of a number.
func isSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u3000',
		'-', '.', '/', '(', ')', '（', '）', '－', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015':
		return true
	}
	return false
}

// parse is the general path behind Normalize and Lookup.
func parse(raw string) (number, error) {
	d, why := scan(raw)
	if why != "" {
		return number{}, invalid(raw, why)
	}
	s := string(d.buf[:d.n])
	switch {
	case d.plus && strings.HasPrefix(s, "86"):
		return chineseNumber(raw, s[2:], true)
	case d.plus:
		return foreign(raw, s)
	case strings.HasPrefix(s, "0086"):
		return chineseNumber(raw, s[4:], true)
	case strings.HasPrefix(s, "00"):
		return foreign(raw, s[2:])
	}
	if strings.HasPrefix(s, "86") && len(s) >= 12 {
		if n, err := chineseNumber(raw, s[2:], true); err == nil {
			return n, nil
		}
	}
	n, err := chineseNumber(raw, s, false)
	if err == nil || len(s) < 12 || s[0] != '1' {
		return n, err
	}
	// The library's parser knows carrier-selection prefixes such as 17951
	// that may precede a mobile number ("17951 13812345678").
	pn, perr := phonenumbers.Parse(s, "CN")
	if perr != nil || pn.GetCountryCode() != 86 {
		return number{}, err
	}
	if m, perr := chineseNumber(raw, phonenumbers.GetNationalSignificantNumber(pn), true); perr == nil && m.kind == kindMobile {
		return m, nil
	}
	return number{}, err
}

// chineseNumber checks s as a Chinese mobile or landline. intl says s is
// what followed 86, +86 or 0086; otherwise a landline needs its trunk 0,
// because national digits without one are more often a foreign number
// missing its "+" (4155552671 would be a valid 0415 landline) than a
// Chinese landline missing its 0. One leading trunk 0 is allowed either way.
func chineseNumber(raw, s string, intl bool) (number, error) {
	nsn := strings.TrimPrefix(s, "0")
	switch {
	case len(nsn) < 5:
		return number{}, invalid(raw, "is too short to be a Chinese number")
	case nsn[0] == '0':
		return number{}, invalid(raw, "is not a valid Chinese number (too many leading zeros)")
	case nsn[0] == '1' && nsn[1] != '0':
		return chineseMobile(raw, nsn)
	case len(nsn) > 11:
		return number{}, invalid(raw, "is too long to be a Chinese landline")
	}
	t := phonenumbers.GetNumberType(chinese(nsn))
	landline := t == phonenumbers.FIXED_LINE || t == phonenumbers.FIXED_LINE_OR_MOBILE
	switch {
	case !intl && len(nsn) == len(s) && (landline || t == phonenumbers.UNKNOWN):
		return number{}, invalid(raw, "is not a valid Chinese mobile, and a landline needs its area code with the leading 0 (a number from another country needs + or 00)")
	case landline:
		return number{norm: "0" + nsn, nsn: nsn, kind: kindFixed}, nil
	case t == phonenumbers.MOBILE:
		return number{norm: nsn, nsn: nsn, kind: kindMobile}, nil
	case t == phonenumbers.UNKNOWN:
		return number{}, invalid(raw, "is not a valid Chinese landline (unknown area code or wrong length)")
	default:
		return number{}, invalid(raw, "is a Chinese "+typeName(t)+" number, not a mobile or landline")
	}
}

// chineseMobile checks nsn, which starts with 1 but not 10, as a mobile.
func chineseMobile(raw, nsn string) (number, error) {
	if len(nsn) != 11 {
		return number{}, invalid(raw, fmt.Sprintf("has %d digits where a Chinese mobile number has 11", len(nsn)))
	}
	ok := false
	switch mobileState(nsn) {
	case stateValid:
		ok = true
	case stateAsk:
		ok = phonenumbers.GetNumberType(chinese(nsn)) == phonenumbers.MOBILE
	}
	if !ok {
		return number{}, invalid(raw, "is not a valid Chinese mobile number (prefix "+nsn[:3]+" is not allocated)")
	}
	return number{norm: nsn, nsn: nsn, kind: kindMobile}, nil
}

// foreign checks s, the digits after "+" or "00", as an E.164 number.
func foreign(raw, s string) (number, error) {
	pn, err := phonenumbers.Parse("+"+s, "ZZ")
	if err != nil {
		return number{}, invalid(raw, "is not a valid number (unknown country code)")
	}
	return foreignNumber(raw, pn)
}

// foreignNumber accepts pn if phonenumbers says it is valid.
func foreignNumber(raw string, pn *phonenumbers.PhoneNumber) (number, error) {
	if pn.GetCountryCode() == 86 {
		return chineseNumber(raw, phonenumbers.GetNationalSignificantNumber(pn), true)
	}
	if !phonenumbers.IsValidNumber(pn) {
		return number{}, invalid(raw, "is not a valid number")
	}
	return number{norm: phonenumbers.Format(pn, phonenumbers.E164), kind: kindForeign, pn: pn}, nil
}
