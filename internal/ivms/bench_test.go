package ivms

import (
	"testing"
)

// BenchmarkDecodeValidateOriginator measures the API's hot path: decoding a realistic
// natural-person originator (address, national identification, date of birth) and validating it.
func BenchmarkDecodeValidateOriginator(b *testing.B) {
	data := []byte(realisticOriginator)
	now := testNow()
	opts := DecodeOptions{DisallowUnknownFields: true}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		o, err := DecodeOriginator(data, opts)
		if err != nil {
			b.Fatal(err)
		}
		if v := ValidateOriginator(o, now); !v.OK() {
			b.Fatal(v.Errors)
		}
	}
}

// BenchmarkEncodeOriginator measures the strict encoder on the same originator.
func BenchmarkEncodeOriginator(b *testing.B) {
	o, err := DecodeOriginator([]byte(realisticOriginator), DecodeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeOriginator(o, EncodeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
