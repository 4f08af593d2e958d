package sqlstore

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/outdial/outdial"
)

// A contact's descriptive fields, which nothing selects or sorts on, are kept in one
// column, data, as a JSON array in this order (json_extract(data, '$[0]') is the name):
//
//	name, address, email, state, callback_url, external_id,
//	area_code, area_name, number_type, carrier, variables
//
// with empty fields at the end left out, and variables as a JSON object. One column
// instead of eleven is what makes an import fast: a contact binds five values, not
// fifteen, and SQLite builds a record of 14 columns, not 24 (BENCHMARKS.md).

// contactDataFields is how many string fields come before variables.
const contactDataFields = 10

// contactDataStrings returns pointers to c's data fields in column order.
func contactDataStrings(c *outdial.Contact) [contactDataFields]*string {
	return [contactDataFields]*string{&c.Name, &c.Address, &c.Email, &c.State, &c.CallbackURL, &c.ExternalID,
		&c.AreaCode, &c.AreaName, &c.Type, &c.Carrier}
}

// contactData returns the data column of c.
func contactData(c *outdial.Contact) string {
	return string(appendContactData(make([]byte, 0, 160), c))
}

// appendContactData appends the data column of c to b.
func appendContactData(b []byte, c *outdial.Contact) []byte {
	fields := contactDataStrings(c)
	n := contactDataFields
	if len(c.Variables) == 0 {
		for n > 0 && *fields[n-1] == "" {
			n--
		}
	}
	b = append(b, '[')
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, *fields[i])
	}
	if len(c.Variables) > 0 {
		b = append(b, ',')
		b = append(b, jsonText(c.Variables)...)
	}
	return append(b, ']')
}

// appendJSONString appends s as a JSON string. Bytes that are not UTF-8 become U+FFFD,
// as encoding/json writes them.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

var errContactData = errors.New("contact data is not a JSON array of strings")

// setContactData sets c's data fields from the data column. The array written by
// appendContactData is read without reflection; anything else JSON allows (spaces, as
// PostgreSQL's json_build_array writes them, or other escapes) goes through encoding/json.
func setContactData(c *outdial.Contact, data string) error {
	fields := contactDataStrings(c)
	for _, f := range fields {
		*f = ""
	}
	c.Variables = nil
	if ok := readContactData(fields, c, data); ok {
		return nil
	}
	for _, f := range fields {
		*f = ""
	}
	c.Variables = nil
	var raw []json.RawMessage
	if err := json.Unmarshal([]byte(data), &raw); err != nil || len(raw) > contactDataFields+1 {
		return errContactData
	}
	for i, r := range raw {
		if i == contactDataFields {
			if string(r) == `""` || string(r) == "null" {
				break
			}
			if err := json.Unmarshal(r, &c.Variables); err != nil {
				return errContactData
			}
			if len(c.Variables) == 0 {
				c.Variables = nil
			}
			break
		}
		if err := json.Unmarshal(r, fields[i]); err != nil {
			return errContactData
		}
	}
	return nil
}

// readContactData reads data as appendContactData writes it, reporting false for
// anything else.
func readContactData(fields [contactDataFields]*string, c *outdial.Contact, data string) bool {
	if len(data) < 2 || data[0] != '[' || data[len(data)-1] != ']' {
		return false
	}
	s := data[1 : len(data)-1]
	for i := 0; s != ""; i++ {
		if i > 0 {
			if s[0] != ',' {
				return false
			}
			s = s[1:]
		}
		if i == contactDataFields {
			return s != "" && s[0] == '{' && json.Unmarshal([]byte(s), &c.Variables) == nil && len(c.Variables) > 0
		}
		if s == "" || s[0] != '"' {
			return false
		}
		v, rest, ok := readJSONString(s)
		if !ok {
			return false
		}
		*fields[i], s = v, rest
	}
	return true
}

// readJSONString reads the JSON string at the start of s (which starts with '"') and
// returns it and what follows; escapes other than those appendJSONString writes and
// \uXXXX outside the surrogates report false.
func readJSONString(s string) (string, string, bool) {
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[1:i], s[i+1:], true
		case c == '\\':
			return readEscapedJSONString(s)
		case c < 0x20:
			return "", "", false
		}
	}
	return "", "", false
}

func readEscapedJSONString(s string) (string, string, bool) {
	b := make([]byte, 0, len(s))
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return string(b), s[i+1:], true
		case c < 0x20:
			return "", "", false
		case c != '\\':
			b = append(b, c)
			continue
		}
		if i+1 >= len(s) {
			return "", "", false
		}
		i++
		switch s[i] {
		case '"', '\\', '/':
			b = append(b, s[i])
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'u':
			if i+4 >= len(s) {
				return "", "", false
			}
			v, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
			if err != nil || (v >= 0xd800 && v < 0xe000) {
				return "", "", false
			}
			b = utf8.AppendRune(b, rune(v))
			i += 4
		default:
			return "", "", false
		}
	}
	return "", "", false
}
