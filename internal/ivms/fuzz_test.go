package ivms

import (
	"errors"
	"regexp"
	"testing"
)

// pathGrammar is what every error path looks like: dotted identifiers, [index], or ["quoted"].
var pathGrammar = regexp.MustCompile(`^(|([A-Za-z0-9_$-]+|\[[0-9]+\]|\["(?:[^"\\]|\\.)*"\])(\.[A-Za-z0-9_$-]+|\[[0-9]+\]|\["(?:[^"\\]|\\.)*"\])*)$`)

func checkDecodeError(t *testing.T, err error) {
	t.Helper()
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error is %T, not *DecodeError: %v", err, err)
	}
	switch de.Code {
	case CodeSyntax, CodeInvalidType, CodeInvalidCode, CodeInvalidValue, CodeUnknownField, CodeDuplicateField, CodeOneOf, CodeTooDeep, CodeMaxItems:
	default:
		t.Fatalf("unexpected code %q", de.Code)
	}
	if de.Message == "" || !pathGrammar.MatchString(de.Path) {
		t.Fatalf("malformed error: path %q message %q", de.Path, de.Message)
	}
	if len(de.Error()) > 400 {
		t.Fatalf("error too long (%d bytes): values must not be echoed", len(de.Error()))
	}
}

func FuzzDecodeOriginator(f *testing.F) {
	f.Add([]byte(realisticOriginator))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, strict := range []bool{false, true} {
			opts := DecodeOptions{DisallowUnknownFields: strict}
			o, err := DecodeOriginator(data, opts)
			if err != nil {
				checkDecodeError(t, err)
				continue
			}
			first, err := EncodeOriginator(o, EncodeOptions{})
			if err != nil {
				t.Fatalf("encode after decode: %v", err)
			}
			back, err := DecodeOriginator(first, DecodeOptions{DisallowUnknownFields: true})
			if err != nil {
				t.Fatalf("our own output does not decode: %v\n%s", err, first)
			}
			second, err := EncodeOriginator(back, EncodeOptions{})
			if err != nil || string(first) != string(second) {
				t.Fatalf("unstable round trip:\n%s\n%s", first, second)
			}
			_ = ValidateOriginator(o, testNow())
			_ = MissingOriginator(o, RequiredFieldNames())
			_ = DisplayNames(o.Persons)
		}
	})
}

func FuzzDecodeIdentity(f *testing.F) {
	f.Add([]byte(`{"originator":` + realisticOriginator + `}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, strict := range []bool{false, true} {
			id, err := DecodeIdentity(data, DecodeOptions{DisallowUnknownFields: strict})
			if err != nil {
				checkDecodeError(t, err)
				continue
			}
			for _, opts := range []EncodeOptions{{}, {CustomerNumber: true}, {Version: Version2023}} {
				first, err := EncodeIdentity(id, opts)
				if err != nil {
					t.Fatalf("encode after decode: %v", err)
				}
				back, err := DecodeIdentity(first, DecodeOptions{DisallowUnknownFields: true})
				if err != nil {
					t.Fatalf("our own output does not decode: %v\n%s", err, first)
				}
				second, err := EncodeIdentity(back, opts)
				if err != nil || string(first) != string(second) {
					t.Fatalf("unstable round trip:\n%s\n%s", first, second)
				}
			}
			_ = ValidateIdentity(id, testNow())
			_ = IdentityFromProto(id.Proto())
		}
	})
}
