package email

import (
	"net/url"
	"testing"
	"time"

	"github.com/waybill/waybill/internal/ivms"
)

// FuzzOriginatorForm feeds the post-transaction page's form (what a visitor can post) through
// the parser and the IVMS101 builder: no panic, and whatever is accepted is valid IVMS101.
func FuzzOriginatorForm(f *testing.F) {
	for _, s := range []string{
		"person_type=natural&family_name=Okonkwo&given_names=Ximena&street=Awolowo+Road&town=Lagos&country=NG&account_number=0xabc",
		"person_type=legal&legal_name=Okonkwo+Trading&lei=5493001KJTIIGC8Y1R12&account_number=a",
		"person_type=natural&family_name=%00%ff&date_of_birth=1990-02-30&place_of_birth=x&account_number=a",
		"person_type=legal&legal_name=&customer_number=%22%7D%5D&account_number=%5B",
		"person_type=natural&family_name=a&national_id=b&national_id_type=ZZZZ&account_number=c",
	} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		o, fe := parseOriginatorForm(v).originator(now)
		if o == nil && len(fe) == 0 {
			t.Fatal("neither an originator nor an error")
		}
		if o != nil {
			if res := ivms.ValidateOriginator(o, now); !res.OK() {
				t.Fatalf("accepted an invalid originator: %v", res.Errors)
			}
		}
	})
}
