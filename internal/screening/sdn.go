package screening

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/waybill/waybill/internal/address"
)

// ofacAddressType prefixes the OFAC id type (SDN.XML) or feature type (sdn_advanced.xml) of a
// digital currency address; the currency code follows ("Digital Currency Address - XBT").
const ofacAddressType = "Digital Currency Address - "

// OFACNetwork returns the waybill network of an address that OFAC lists under currency code
// code: the chain the code names (XBT bitcoin, ETH ethereum, TRX tron, ...; the names of
// package address where it has them). For a token code (USDT, USDC, ...) or an unknown one, it
// infers the chain from the address's format (an EVM address: ethereum; a valid Tron address:
// tron), else returns "".
func OFACNetwork(code, addr string) string {
	switch strings.ToUpper(strings.TrimSpace(code)) {
	case "XBT", "BTC":
		return address.Bitcoin
	case "ETH":
		return address.Ethereum
	case "LTC":
		return address.Litecoin
	case "TRX":
		return address.Tron
	case "XRP":
		return address.XRP
	case "SOL":
		return address.Solana
	case "ARB":
		return address.Arbitrum
	case "BSC", "BNB":
		return address.BSC
	case "XMR":
		return "monero"
	case "ZEC":
		return "zcash"
	case "DASH":
		return "dash"
	case "BTG":
		return "bitcoin-gold"
	case "ETC":
		return "ethereum-classic"
	case "BSV":
		return "bitcoin-sv"
	case "BCH":
		return "bitcoin-cash"
	case "XVG":
		return "verge"
	case "DOGE":
		return "dogecoin"
	}
	addr = strings.TrimSpace(addr)
	switch {
	case isEVM(addr):
		return address.Ethereum
	case address.Validate(address.Tron, addr) == nil:
		return address.Tron
	}
	return ""
}

// sdnEntry is what ReadSDN keeps of an SDN.XML sdnEntry.
type sdnEntry struct {
	UID       string   `xml:"uid"`
	FirstName string   `xml:"firstName"`
	LastName  string   `xml:"lastName"`
	Programs  []string `xml:"programList>program"`
	IDs       []struct {
		Type   string `xml:"idType"`
		Number string `xml:"idNumber"`
	} `xml:"idList>id"`
}

// ReadSDN reads OFAC's SDN list in its classic XML layout (SDN.XML) from r, streaming entry by
// entry, and passes each digital currency address to add: the id of type "Digital Currency
// Address - <code>", the network OFACNetwork gives, the entry's name (firstName lastName) as
// the entity, its programmes (CYBER2, ...) as tags, its uid as id and DefaultRiskScore. The
// publication date comes from publshInformation/Publish_Date. Addresses no list can hold are
// counted in Source.Skipped. Errors name the line of the document.
func ReadSDN(ctx context.Context, r io.Reader, progress ProgressFunc, add func(Entry) error) (Source, error) {
	f := newFeed(ctx, r, progress)
	d := xml.NewDecoder(bufio.NewReaderSize(f, 1<<16))
	err := walkElements(d, "SDN.XML", []string{"sdnList"}, func(se xml.StartElement) error {
		switch se.Name.Local {
		case "publshInformation", "publishInformation":
			var pub struct {
				Date string `xml:"Publish_Date"`
			}
			if err := d.DecodeElement(&pub, &se); err != nil {
				return err
			}
			if t, err := time.Parse("01/02/2006", strings.TrimSpace(pub.Date)); err == nil {
				f.src.Published = t
			}
		case "sdnEntry":
			var e sdnEntry
			if err := d.DecodeElement(&e, &se); err != nil {
				return err
			}
			if err := addSDNEntry(f, add, &e); err != nil {
				return err
			}
			return f.row()
		default:
			return d.Skip()
		}
		return nil
	})
	if err != nil {
		return Source{}, err
	}
	return f.done()
}

// walkElements reads the document d decodes, checks that its root element is one of roots
// (doc names the format in errors) and calls visit for every start element below the root.
// visit consumes the element (DecodeElement, Skip) or returns without reading, and the walk
// goes into it. Errors are *LineError values, except cancellation.
func walkElements(d *xml.Decoder, doc string, roots []string, visit func(xml.StartElement) error) error {
	root := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return xmlError(d, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if !root {
			if !slices.Contains(roots, se.Name.Local) {
				return xmlError(d, fmt.Errorf("not an %s document: the root is not %s", doc, roots[0]))
			}
			root = true
			continue
		}
		if err := visit(se); err != nil {
			return xmlError(d, err)
		}
	}
	if !root {
		return &LineError{Line: 1, Err: fmt.Errorf("not an %s document: no %s element", doc, roots[0])}
	}
	return nil
}

func addSDNEntry(f *feed, add func(Entry) error, e *sdnEntry) error {
	name := joinName(e.FirstName, e.LastName)
	programs := cleanTags(e.Programs)
	for _, id := range e.IDs {
		code, ok := strings.CutPrefix(strings.TrimSpace(id.Type), ofacAddressType)
		if !ok {
			continue
		}
		addr := strings.TrimSpace(id.Number)
		if addr == "" {
			f.src.Skipped++
			continue
		}
		entry := Entry{Address: addr, Network: OFACNetwork(code, addr), Entity: name, Tags: programs, ID: strings.TrimSpace(e.UID)}
		if err := f.add(add, entry, true); err != nil {
			return err
		}
	}
	return nil
}

// joinName joins the non-empty trimmed parts of a name with single spaces.
func joinName(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		for w := range strings.FieldsSeq(p) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
	}
	return b.String()
}

// xmlError wraps err in a *LineError naming the decoder's current line; a syntax error names
// its own.
func xmlError(d *xml.Decoder, err error) error {
	var le *LineError
	if errors.As(err, &le) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &LineError{Line: se.Line, Err: errors.New(se.Msg)}
	}
	line, _ := d.InputPos()
	return &LineError{Line: line, Err: err}
}
