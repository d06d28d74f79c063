package ivms

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of JSON values the decoder walks, so that hostile input cannot
// exhaust the stack. IVMS101 itself nests about ten levels deep.
const maxDepth = 64

// seg is one step of a JSON path: an object key, or an array index when idx >= 0.
type seg struct {
	key string
	idx int
}

// decoder is a small JSON reader driven by the IVMS101 model: it walks the input once and fills
// trisa's protobuf types directly, without an intermediate tree. Errors are sticky: after the
// first one every method is a no-op, and the error carries the JSON path of the offending value.
type decoder struct {
	s     string
	i     int
	opts  DecodeOptions
	path  []seg
	depth int
	err   *DecodeError
	base  [24]seg
}

func newDecoder(data []byte, opts DecodeOptions) *decoder {
	d := &decoder{s: string(data), opts: opts}
	d.path = d.base[:0]
	return d
}

func (d *decoder) pushKey(k string) { d.path = append(d.path, seg{key: k, idx: -1}) }
func (d *decoder) pushIdx(i int)    { d.path = append(d.path, seg{idx: i}) }
func (d *decoder) pop()             { d.path = d.path[:len(d.path)-1] }

// fail records the first error at the current path.
func (d *decoder) fail(code, msg string) {
	if d.err != nil {
		return
	}
	d.err = &DecodeError{Path: renderPath(d.path), Code: code, Message: msg}
}

func (d *decoder) syntax(msg string) {
	d.fail(CodeSyntax, fmt.Sprintf("invalid JSON at byte %d: %s", d.i, msg))
}

// end checks that only whitespace follows the top-level value.
func (d *decoder) end() {
	if d.err != nil {
		return
	}
	d.ws()
	if d.i != len(d.s) {
		d.syntax("unexpected data after the value")
	}
}

func (d *decoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end of the input.
func (d *decoder) peek() byte {
	d.ws()
	if d.i >= len(d.s) {
		return 0
	}
	return d.s[d.i]
}

// null consumes a JSON null and reports whether there was one.
func (d *decoder) null() bool {
	if d.err != nil {
		return false
	}
	if d.peek() == 'n' && strings.HasPrefix(d.s[d.i:], "null") {
		d.i += 4
		return true
	}
	return false
}

func (d *decoder) enter() bool {
	d.depth++
	if d.depth > maxDepth {
		d.fail(CodeTooDeep, "JSON nesting is too deep")
		return false
	}
	return true
}

// object starts an object. It records an invalid_type error and returns false when the next value
// is not an object.
func (d *decoder) object() bool {
	if d.err != nil {
		return false
	}
	switch d.peek() {
	case '{':
		d.i++
		return d.enter()
	case 0:
		d.syntax("unexpected end of input")
	default:
		if d.valueStart() {
			d.fail(CodeInvalidType, "expected an object")
		} else {
			d.syntax("expected a value")
		}
	}
	return false
}

// member advances to the next member of the current object and returns its key; it returns false
// at the closing brace or on error. first is true for the first call on an object.
func (d *decoder) member(first bool) (string, bool) {
	if d.err != nil {
		return "", false
	}
	c := d.peek()
	if c == '}' && first {
		d.i++
		d.depth--
		return "", false
	}
	if !first {
		switch c {
		case '}':
			d.i++
			d.depth--
			return "", false
		case ',':
			d.i++
			c = d.peek()
		default:
			d.syntax("expected ',' or '}'")
			return "", false
		}
	}
	if c != '"' {
		d.syntax("expected a string key")
		return "", false
	}
	k := d.str()
	if d.err != nil {
		return "", false
	}
	if d.peek() != ':' {
		d.syntax("expected ':'")
		return "", false
	}
	d.i++
	return k, true
}

// elem advances to the next element of the current array; it returns false at the closing
// bracket or on error.
func (d *decoder) elem(first bool) bool {
	if d.err != nil {
		return false
	}
	c := d.peek()
	if c == ']' {
		d.i++
		d.depth--
		return false
	}
	if !first {
		if c != ',' {
			d.syntax("expected ',' or ']'")
			return false
		}
		d.i++
		if d.peek() == ']' {
			d.syntax("expected a value after ','")
			return false
		}
	}
	if d.i >= len(d.s) {
		d.syntax("unexpected end of input")
		return false
	}
	return true
}

// list walks a field that IVMS101 defines as [0..n] or [1..n]. Peers send either an array or,
// for one element, the bare element; fn is called once per element with the path extended by
// its index.
func (d *decoder) list(fn func(i int)) {
	if d.err != nil {
		return
	}
	if d.peek() != '[' {
		d.pushIdx(0)
		fn(0)
		d.pop()
		return
	}
	d.i++
	if !d.enter() {
		return
	}
	for i := 0; d.elem(i == 0); i++ {
		d.pushIdx(i)
		if d.null() {
			d.pop()
			continue
		}
		fn(i)
		d.pop()
		if d.err != nil {
			return
		}
	}
}

func (d *decoder) valueStart() bool {
	switch d.peek() {
	case '"', '{', '[', 't', 'f', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

// text reads a string field. A number is accepted as its literal text (some peers send postal
// codes or building numbers as numbers).
func (d *decoder) text() string {
	if d.err != nil {
		return ""
	}
	switch c := d.peek(); {
	case c == '"':
		return d.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return d.num()
	case c == 0:
		d.syntax("unexpected end of input")
	case d.valueStart():
		d.skip()
		d.fail(CodeInvalidType, "expected a string")
	default:
		d.syntax("expected a value")
	}
	return ""
}

// code reads an enumeration value, which must be a JSON string.
func (d *decoder) code() (string, bool) {
	if d.err != nil {
		return "", false
	}
	switch c := d.peek(); {
	case c == '"':
		s := d.str()
		return s, d.err == nil
	case c == 0:
		d.syntax("unexpected end of input")
	case d.valueStart():
		d.skip()
		d.fail(CodeInvalidType, "expected a string code")
	default:
		d.syntax("expected a value")
	}
	return "", false
}

// uint reads a non-negative integer given as a JSON number or a string of digits.
func (d *decoder) uint() uint64 {
	if d.err != nil {
		return 0
	}
	var lit string
	switch c := d.peek(); {
	case c == '"':
		lit = d.str()
	case c == '-' || (c >= '0' && c <= '9'):
		lit = d.num()
	case c == 0:
		d.syntax("unexpected end of input")
		return 0
	case d.valueStart():
		d.skip()
		d.fail(CodeInvalidType, "expected a non-negative integer")
		return 0
	default:
		d.syntax("expected a value")
		return 0
	}
	if d.err != nil {
		return 0
	}
	n, err := strconv.ParseUint(lit, 10, 64)
	if err != nil {
		d.fail(CodeInvalidValue, "expected a non-negative integer")
		return 0
	}
	return n
}

// str reads a JSON string starting at the opening quote. Strings without escapes are returned as
// substrings of the input, without copying.
func (d *decoder) str() string {
	start := d.i + 1
	ascii := true
	for j := start; j < len(d.s); j++ {
		c := d.s[j]
		switch {
		case c == '"':
			s := d.s[start:j]
			if !ascii && !utf8.ValidString(s) {
				return d.strSlow(start)
			}
			d.i = j + 1
			return s
		case c == '\\':
			return d.strSlow(start)
		case c < 0x20:
			d.i = j
			d.syntax("control character in string")
			return ""
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	d.i = len(d.s)
	d.syntax("unterminated string")
	return ""
}

// strSlow decodes escapes, and replaces invalid UTF-8 and lone surrogates with U+FFFD as
// encoding/json does.
func (d *decoder) strSlow(start int) string {
	var b strings.Builder
	j := start
	for j < len(d.s) {
		c := d.s[j]
		switch {
		case c == '"':
			d.i = j + 1
			return b.String()
		case c < 0x20:
			d.i = j
			d.syntax("control character in string")
			return ""
		case c == '\\':
			if j+1 >= len(d.s) {
				j = len(d.s)
				continue
			}
			e := d.s[j+1]
			j += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := hex4(d.s, j)
				if !ok {
					d.i = j
					d.syntax("invalid \\u escape")
					return ""
				}
				j += 4
				if utf16.IsSurrogate(r) {
					if r2, ok := hex4(d.s, j+2); ok && j+1 < len(d.s) && d.s[j] == '\\' && d.s[j+1] == 'u' {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							j += 6
							b.WriteRune(dec)
							continue
						}
					}
					r = utf8.RuneError
				}
				b.WriteRune(r)
			default:
				d.i = j - 1
				d.syntax("invalid escape")
				return ""
			}
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			j++
		default:
			r, size := utf8.DecodeRuneInString(d.s[j:])
			b.WriteRune(r)
			j += size
		}
	}
	d.i = len(d.s)
	d.syntax("unterminated string")
	return ""
}

func hex4(s string, at int) (rune, bool) {
	if at+4 > len(s) {
		return 0, false
	}
	var r rune
	for k := at; k < at+4; k++ {
		c := s[k]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// num reads a JSON number and returns its literal text.
func (d *decoder) num() string {
	s, start := d.s, d.i
	j := start
	if j < len(s) && s[j] == '-' {
		j++
	}
	switch {
	case j < len(s) && s[j] == '0':
		j++
	case j < len(s) && s[j] >= '1' && s[j] <= '9':
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	default:
		d.i = j
		d.syntax("invalid number")
		return ""
	}
	if j < len(s) && s[j] == '.' {
		j++
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == k {
			d.i = j
			d.syntax("invalid number")
			return ""
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == k {
			d.i = j
			d.syntax("invalid number")
			return ""
		}
	}
	d.i = j
	return s[start:j]
}

// skip reads and discards any JSON value, checking its syntax.
func (d *decoder) skip() {
	if d.err != nil {
		return
	}
	switch c := d.peek(); c {
	case '"':
		d.str()
	case '{':
		d.i++
		if !d.enter() {
			return
		}
		for first := true; ; first = false {
			if _, ok := d.member(first); !ok {
				return
			}
			d.skip()
		}
	case '[':
		d.i++
		if !d.enter() {
			return
		}
		for first := true; d.elem(first); first = false {
			d.skip()
		}
	case 't':
		d.literal("true")
	case 'f':
		d.literal("false")
	case 'n':
		d.literal("null")
	case 0:
		d.syntax("unexpected end of input")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			d.num()
			return
		}
		d.syntax("expected a value")
	}
}

func (d *decoder) literal(lit string) {
	if strings.HasPrefix(d.s[d.i:], lit) {
		d.i += len(lit)
		return
	}
	d.syntax("invalid literal")
}

// unknown handles a key the model does not know: an error when unknown fields are disallowed,
// otherwise the value is skipped.
func (d *decoder) unknown(key string) {
	if d.opts.DisallowUnknownFields {
		d.pushKey(key)
		d.fail(CodeUnknownField, "unknown field")
		d.pop()
		return
	}
	d.skip()
}

// duplicate records an error for a field given twice (under the same or a synonymous key).
func (d *decoder) duplicate() {
	d.fail(CodeDuplicateField, "field given more than once")
}

// renderPath formats a path as dotted keys with bracketed indexes. Keys that are not plain
// identifiers (only ever unknown keys sent by a peer) are quoted and truncated.
func renderPath(p []seg) string {
	if len(p) == 0 {
		return ""
	}
	var b strings.Builder
	for n, s := range p {
		if s.idx >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.idx))
			b.WriteByte(']')
			continue
		}
		if plainKey(s.key) {
			if n > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
			continue
		}
		k := s.key
		if len(k) > 64 {
			k = strings.ToValidUTF8(k[:64], "") + "…"
		}
		b.WriteString("[")
		b.WriteString(strconv.Quote(k))
		b.WriteString("]")
	}
	return b.String()
}

func plainKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '$') {
			return false
		}
	}
	return true
}
