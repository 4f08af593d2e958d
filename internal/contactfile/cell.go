package contactfile

import "strings"

// cleanCell trims spaces (full-width too) and undoes Excel's text-forcing formula, the
// ="0755..." that some exports write so that a leading zero survives (in CSV it is also
// seen quoted, as "=""0755..."""). It does not allocate.
func cleanCell(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && s[0] == '=' && s[1] == '"' && s[len(s)-1] == '"' {
		s = strings.TrimSpace(strings.Trim(s[1:], `"`))
	}
	return s
}

// maxRoundedDigits is the most significant digits a number Excel has rounded can show:
// Excel shows a number in a General cell with at most 6 significant digits (1.88515E+10),
// and a CSV saved from it keeps only those.
const maxRoundedDigits = 6

// cleanPhone undoes what spreadsheets do to phone numbers stored as numbers: a leading
// apostrophe (Excel's text marker), a ".0" left by a float conversion, and scientific
// notation, which is expanded digit for digit (zeros that pad the mantissa, as in
// 1.38001380000E10, are dropped first). A number in scientific notation that may have
// lost digits (its mantissa has at most maxRoundedDigits significant digits and the
// exponent adds zeros after them, as in 1.88515E+10) gives a reason for a RowError
// instead; a longer mantissa (1.3800138E10, as Java and JavaScript write 13800138000) is
// taken as exact.
func cleanPhone(s string) (phone, reason string) {
	s = strings.TrimSpace(strings.TrimPrefix(s, "'"))
	mant, exp, ok := splitSci(s)
	if !ok {
		return trimPointZero(s), ""
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	frac = strings.TrimRight(frac, "0")
	zeros := exp - len(frac)
	switch {
	case zeros < 0:
		return s, "" // not a whole number: phone validation rejects it
	case zeros > 0 && len(strings.TrimLeft(intPart+frac, "0")) <= maxRoundedDigits:
		return s, "the phone number " + s + " is in scientific notation and may have lost digits: " +
			"format the phone column as text and export again"
	}
	return intPart + frac + strings.Repeat("0", zeros), ""
}

// splitSci splits "1.885149876E+10" into its mantissa and exponent; ok is false for
// anything that is not a positive number in scientific notation with a small exponent.
func splitSci(s string) (mant string, exp int, ok bool) {
	i := strings.IndexAny(s, "eE")
	if i <= 0 || i == len(s)-1 {
		return "", 0, false
	}
	mant, e := strings.TrimPrefix(s[:i], "+"), strings.TrimPrefix(s[i+1:], "+")
	if len(e) == 0 || len(e) > 2 || !isDigits(e) {
		return "", 0, false
	}
	intPart, frac, hasPoint := strings.Cut(mant, ".")
	if !isDigits(intPart) || (hasPoint && !isDigits(frac)) {
		return "", 0, false
	}
	for _, c := range e {
		exp = exp*10 + int(c-'0')
	}
	return mant, exp, true
}

// trimPointZero turns "18851498762.0" into "18851498762"; anything else is returned as is.
func trimPointZero(s string) string {
	intPart, frac, ok := strings.Cut(s, ".")
	if !ok || !isDigits(intPart) || strings.Trim(frac, "0") != "" {
		return s
	}
	return intPart
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
