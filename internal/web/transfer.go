package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/trisacrypto/trisa/pkg/ivms101"

	"github.com/waybill/waybill/internal/audit"
	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/ivms"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/transfer"
)

// transferView is the data of a transfer's page.
type transferView struct {
	T            *transfer.Transfer
	Row          row
	Counterparty *counterparty.Counterparty
	Parties      []party
	Actions      []actionForm
	Events       []eventView
	Messages     []store.Message
	Deliveries   []store.Delivery
	Inputs       []keyValue
	// CanUpdate offers the update form; Directory lists the counterparties it can name.
	CanUpdate bool
	Directory []counterparty.Counterparty
}

type keyValue struct {
	Key   string
	Value string
}

// party is the originator or the beneficiary laid out from IVMS101.
type party struct {
	Role     string
	Persons  []person
	Accounts []string
	Missing  bool
}

type person struct {
	Kind         string
	Display      string
	Names        []nameLine
	Addresses    []addressLine
	IDs          []keyValue
	Birth        string
	Residence    string
	Registration string
}

type nameLine struct {
	Type string
	Form string
	Full string
}

type addressLine struct {
	Type  string
	Lines []string
}

// Labels of IVMS101 codes.
var (
	nameTypes = map[string]string{"LEGL": "legal name", "ALIA": "alias", "BIRT": "name at birth", "MAID": "maiden name",
		"MISC": "other", "SHRT": "short name", "TRAD": "trading name"}
	addressTypes = map[string]string{"HOME": "residential", "BIZZ": "business", "GEOG": "geographic"}
	idTypes      = map[string]string{"ARNU": "alien registration number", "CCPT": "passport", "RAID": "registration authority id",
		"DRLC": "driver's licence", "FIIN": "foreign investment identity number", "TXID": "tax id", "SOCS": "social security number",
		"IDCD": "identity card", "LEIX": "LEI", "MISC": "other"}
)

// code turns an enum name (ADDRESS_TYPE_CODE_HOME) into its IVMS101 code (HOME).
func code(s string) string {
	if i := strings.LastIndexByte(s, '_'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func label(m map[string]string, c string) string {
	if l, ok := m[c]; ok {
		return l + " (" + c + ")"
	}
	return c
}

func layoutParty(role string, persons []*ivms101.Person, accounts []string) party {
	p := party{Role: role, Accounts: accounts, Missing: len(persons) == 0}
	for _, pp := range persons {
		if pp == nil {
			continue
		}
		out := person{Display: ivms.DisplayName(pp)}
		for _, n := range ivms.Names(pp) {
			out.Names = append(out.Names, nameLine{Type: label(nameTypes, n.Type), Form: string(n.Form), Full: n.Full()})
		}
		var addrs []*ivms101.Address
		var nid *ivms101.NationalIdentification
		if np := pp.GetNaturalPerson(); np != nil {
			out.Kind = "Natural person"
			addrs, nid = np.GetGeographicAddresses(), np.GetNationalIdentification()
			if c := np.GetCustomerIdentification(); c != "" {
				out.IDs = append(out.IDs, keyValue{"customer identification", c})
			}
			if b := np.GetDateAndPlaceOfBirth(); b != nil {
				out.Birth = strings.TrimSpace(b.GetDateOfBirth() + ", " + b.GetPlaceOfBirth())
				out.Birth = strings.Trim(out.Birth, ", ")
			}
			out.Residence = np.GetCountryOfResidence()
		} else if lp := pp.GetLegalPerson(); lp != nil {
			out.Kind = "Legal person"
			addrs, nid = lp.GetGeographicAddresses(), lp.GetNationalIdentification()
			if c := lp.GetCustomerNumber(); c != "" {
				out.IDs = append(out.IDs, keyValue{"customer number", c})
			}
			out.Registration = lp.GetCountryOfRegistration()
		}
		if nid != nil && nid.GetNationalIdentifier() != "" {
			v := nid.GetNationalIdentifier()
			var extra []string
			if c := nid.GetCountryOfIssue(); c != "" {
				extra = append(extra, "issued in "+c)
			}
			if ra := nid.GetRegistrationAuthority(); ra != "" {
				extra = append(extra, "authority "+ra)
			}
			if len(extra) > 0 {
				v += " (" + strings.Join(extra, ", ") + ")"
			}
			out.IDs = append(out.IDs, keyValue{label(idTypes, code(nid.GetNationalIdentifierType().String())), v})
		}
		for _, a := range addrs {
			out.Addresses = append(out.Addresses, layoutAddress(a))
		}
		p.Persons = append(p.Persons, out)
	}
	return p
}

func layoutAddress(a *ivms101.Address) addressLine {
	al := addressLine{Type: label(addressTypes, code(a.GetAddressType().String()))}
	add := func(parts ...string) {
		var keep []string
		for _, s := range parts {
			if s = strings.TrimSpace(s); s != "" {
				keep = append(keep, s)
			}
		}
		if len(keep) > 0 {
			al.Lines = append(al.Lines, strings.Join(keep, " "))
		}
	}
	add(a.GetDepartment())
	add(a.GetSubDepartment())
	add(a.GetStreetName(), a.GetBuildingNumber())
	add(a.GetBuildingName())
	for _, f := range []struct{ k, v string }{{"floor", a.GetFloor()}, {"room", a.GetRoom()}, {"PO box", a.GetPostBox()}} {
		if f.v != "" {
			add(f.k, f.v)
		}
	}
	for _, l := range a.GetAddressLine() {
		add(l)
	}
	add(a.GetPostCode(), a.GetTownName())
	add(a.GetTownLocationName())
	add(a.GetDistrictName())
	add(a.GetCountrySubDivision())
	add(a.GetCountry())
	return al
}

// actionForm is one action the transfer allows now, as a form.
type actionForm struct {
	Name        string
	Label       string
	Help        string
	Reason      bool   // the form takes a reason
	Destructive bool   // a confirmation is asked first
	Field       string // an extra text field: deposit_address, tx_hash
	FieldLabel  string
	Required    bool
	Originator  bool // accept may need our originator (a post-transaction request)
}

var actionForms = map[string]actionForm{
	engine.ActApprove: {Label: "Approve", Help: "Send it to the counterparty."},
	engine.ActRequest: {Label: "Send the request", Help: "Ask the originating VASP for the originator's data."},
	engine.ActConfirm: {Label: "Confirm the address", Help: "We control the destination address (ACK)."},
	engine.ActReject: {Label: "Reject the address", Help: "The destination address is not ours (REJECTED, final).",
		Reason: true, Destructive: true},
	engine.ActAccept: {Label: "Accept", Help: "Accept the transfer (ACCEPTED).", Field: "deposit_address",
		FieldLabel: "Deposit address, if different (optional)"},
	engine.ActDecline:  {Label: "Decline", Help: "Refuse the transfer (DECLINED, final).", Reason: true, Destructive: true},
	engine.ActNotReady: {Label: "Not ready", Help: "Tell the counterparty we cannot answer yet.", Reason: true},
	engine.ActTxHash: {Label: "Record the chain hash", Help: "The transaction is broadcast.", Field: "tx_hash",
		FieldLabel: "Transaction hash", Required: true},
	engine.ActCancel: {Label: "Cancel the transfer", Help: "End it (CANCELLED, final); the counterparty is told if it was contacted.",
		Reason: true, Destructive: true},
}

// actionOrder is the order actions appear in.
var actionOrder = []string{engine.ActApprove, engine.ActRequest, engine.ActConfirm, engine.ActAccept, engine.ActNotReady,
	engine.ActTxHash, engine.ActReject, engine.ActDecline, engine.ActCancel}

func forms(t *transfer.Transfer) []actionForm {
	allowed := engine.Actions(t)
	var out []actionForm
	for _, a := range actionOrder {
		for _, b := range allowed {
			if a == b {
				f := actionForms[a]
				f.Name = a
				f.Originator = a == engine.ActAccept && t.Initiator == transfer.InitiatorBeneficiary && t.Originator == nil
				out = append(out, f)
			}
		}
	}
	return out
}

// eventView is one event of the audit trail.
type eventView struct {
	audit.Event
	Title string
	Who   string
	Data  []keyValue
}

func eventTitle(e *audit.Event) string {
	switch {
	case e.Type == "transfer.created":
		return "Created as " + e.To
	case e.From != "" && e.To != "":
		return e.From + " → " + e.To
	}
	return strings.ReplaceAll(strings.TrimPrefix(e.Type, "transfer."), "_", " ")
}

func actorLabel(a audit.Actor) string {
	switch a.Type {
	case audit.ActorUser:
		return a.Name
	case audit.ActorAPIKey:
		return "API key " + a.Name
	case audit.ActorPeer:
		return reasonText(a.Name, "counterparty")
	case audit.ActorPolicy:
		return "policy " + a.Name
	}
	return reasonText(a.Name, a.Type)
}

// flatten lays a JSON object out as sorted key/value lines.
func flatten(prefix string, v any, out *[]keyValue) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, x[k], out)
		}
	case nil:
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			b, _ := json.Marshal(e)
			parts = append(parts, strings.Trim(string(b), `"`))
		}
		*out = append(*out, keyValue{prefix, strings.Join(parts, ", ")})
	default:
		b, _ := json.Marshal(x)
		*out = append(*out, keyValue{prefix, strings.Trim(string(b), `"`)})
	}
}

func (h *Handler) transferPage(c *call) error {
	id := c.r.PathValue("id")
	t, err := h.eng.Get(c.ctx(), c.vaspID(), id)
	if err != nil {
		return err
	}
	v := &transferView{T: t, Row: newRow(t)}
	if t.CounterpartyID != "" {
		cp, err := h.st.Read().GetCounterparty(c.ctx(), c.vaspID(), t.CounterpartyID)
		if err == nil {
			v.Counterparty = cp
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	var oPersons, bPersons []*ivms101.Person
	var oAcc, bAcc []string
	if t.Originator != nil {
		oPersons, oAcc = t.Originator.Persons, t.Originator.AccountNumbers
	}
	if t.Beneficiary != nil {
		bPersons, bAcc = t.Beneficiary.Persons, t.Beneficiary.AccountNumbers
	}
	v.Parties = []party{layoutParty("Originator", oPersons, oAcc), layoutParty("Beneficiary", bPersons, bAcc)}
	if c.can(store.RoleOfficer) {
		v.Actions = forms(t)
	}
	events, err := h.eng.Events(c.ctx(), c.vaspID(), id)
	if err != nil {
		return err
	}
	for _, e := range events {
		ev := eventView{Event: e, Title: eventTitle(&e), Who: actorLabel(e.Actor)}
		if len(e.Data) > 0 {
			var data any
			if json.Unmarshal(e.Data, &data) == nil {
				flatten("", data, &ev.Data)
			}
		}
		v.Events = append(v.Events, ev)
	}
	if v.Messages, err = h.st.Read().ListMessages(c.ctx(), c.vaspID(), id); err != nil {
		return err
	}
	if v.Deliveries, err = h.st.Read().ListDeliveries(c.ctx(), store.DeliveryFilter{VASPID: c.vaspID(), TransferID: id, Limit: 50}); err != nil {
		return err
	}
	if t.Decision != nil && len(t.Decision.Inputs) > 0 {
		var inputs map[string]any
		if err := json.Unmarshal(t.Decision.Inputs, &inputs); err == nil {
			flatten("", inputs, &v.Inputs)
		}
	}
	for _, a := range engine.Actions(t) {
		v.CanUpdate = v.CanUpdate || (a == engine.ActUpdate && c.can(store.RoleOfficer))
	}
	if v.CanUpdate {
		if err := h.eachCounterparty(c, func(cp *counterparty.Counterparty) { v.Directory = append(v.Directory, *cp) }); err != nil {
			return err
		}
	}
	title := "Transfer " + reasonText(t.Ref, short(t.ID))
	c.render(http.StatusOK, "transfer", title, "transfers", v)
	return nil
}

// confirmView asks before a destructive action when the browser did not (no JavaScript).
type confirmView struct {
	Action   string
	Message  string
	PostTo   string
	Back     string
	Fields   []keyValue
	Question string
}

// transferAction carries out one action on a transfer as the signed-in person.
func (h *Handler) transferAction(c *call) error {
	id, action := c.r.PathValue("id"), c.r.PathValue("action")
	back := Prefix + "transfers/" + id
	t, err := h.eng.Get(c.ctx(), c.vaspID(), id)
	if err != nil {
		return err
	}
	f, known := actionForms[action]
	if action == engine.ActUpdate {
		known, f = true, actionForm{Label: "Update"}
	}
	if !known {
		return notFound()
	}
	allowed := false
	for _, a := range engine.Actions(t) {
		allowed = allowed || a == action
	}
	if !allowed {
		return c.done(&engine.ConflictError{Msg: fmt.Sprintf("%s is not possible for a transfer in status %s", f.Label, t.Status)}, back, "")
	}
	reason := strings.TrimSpace(c.r.PostFormValue("reason"))
	if len(reason) > 500 {
		return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: "reason", Message: "at most 500 characters"}}}, back, "")
	}
	if f.Destructive && c.r.PostFormValue("confirmed") != "yes" {
		cv := confirmView{Action: f.Label, PostTo: back + "/" + action, Back: back,
			Question: fmt.Sprintf("%s transfer %s? This cannot be undone.", f.Label, reasonText(t.Ref, short(t.ID))),
			Fields:   []keyValue{{"reason", reason}}}
		c.render(http.StatusOK, "confirm", "Confirm: "+f.Label, "transfers", cv)
		return nil
	}
	ctx, actor, vid := c.ctx(), c.actor(), c.vaspID()
	switch action {
	case engine.ActApprove:
		_, err = h.eng.Approve(ctx, actor, vid, id)
	case engine.ActRequest:
		_, err = h.eng.Request(ctx, actor, vid, id)
	case engine.ActConfirm:
		_, err = h.eng.Confirm(ctx, actor, vid, id)
	case engine.ActReject:
		_, err = h.eng.Reject(ctx, actor, vid, id, reason)
	case engine.ActAccept:
		in := engine.AcceptInput{DepositAddress: strings.TrimSpace(c.r.PostFormValue("deposit_address"))}
		if raw := strings.TrimSpace(c.r.PostFormValue("originator")); raw != "" {
			o, derr := ivms.DecodeOriginator([]byte(raw), ivms.DecodeOptions{})
			if derr != nil {
				return c.done(ivmsError("originator", derr), back, "")
			}
			in.Originator = o
		}
		_, err = h.eng.Accept(ctx, actor, vid, id, in)
	case engine.ActDecline:
		_, err = h.eng.Decline(ctx, actor, vid, id, reason)
	case engine.ActNotReady:
		_, err = h.eng.NotReady(ctx, actor, vid, id, reason)
	case engine.ActTxHash:
		_, err = h.eng.TxHash(ctx, actor, vid, id, strings.TrimSpace(c.r.PostFormValue("tx_hash")))
	case engine.ActCancel:
		_, err = h.eng.Cancel(ctx, actor, vid, id, reason)
	case engine.ActUpdate:
		in, verr := updateInput(c.r)
		if verr != nil {
			return c.done(verr, back, "")
		}
		_, err = h.eng.Update(ctx, actor, vid, id, in)
	}
	return c.done(err, back, f.Label+": done.")
}

// ivmsError turns a decoding error into a validation error without the value.
func ivmsError(path string, err error) error {
	var de *ivms.DecodeError
	if errors.As(err, &de) {
		fe := de.FieldError()
		return &engine.ValidationError{Fields: []engine.FieldError{{Path: path + "." + fe.Path, Code: fe.Code, Message: fe.Message}}}
	}
	return &engine.ValidationError{Fields: []engine.FieldError{{Path: path, Code: "invalid", Message: "not valid IVMS101 JSON"}}}
}

// updateInput reads the update form: fields left empty stay as they are.
func updateInput(r *http.Request) (engine.UpdateInput, error) {
	var in engine.UpdateInput
	opt := func(name string) *string {
		if v := strings.TrimSpace(r.PostFormValue(name)); v != "" {
			return &v
		}
		return nil
	}
	in.CounterpartyID, in.CustomerName, in.Memo, in.OriginAddress = opt("counterparty_id"), opt("customer_name"), opt("memo"), opt("origin_address")
	if cur, amt := opt("fiat_currency"), opt("fiat_amount"); cur != nil || amt != nil {
		if cur == nil || amt == nil {
			return in, &engine.ValidationError{Fields: []engine.FieldError{{Path: "fiat_value", Message: "give both currency and amount"}}}
		}
		d, err := decimal.NewFromString(*amt)
		if err != nil {
			return in, &engine.ValidationError{Fields: []engine.FieldError{{Path: "fiat_value.amount", Message: "must be a decimal number"}}}
		}
		in.FiatValue = &engine.FiatInput{Currency: strings.ToUpper(*cur), Amount: d}
	}
	if raw := opt("originator"); raw != nil {
		o, err := ivms.DecodeOriginator([]byte(*raw), ivms.DecodeOptions{})
		if err != nil {
			return in, ivmsError("originator", err)
		}
		in.Originator = o
	}
	if raw := opt("beneficiary"); raw != nil {
		b, err := ivms.DecodeBeneficiary([]byte(*raw), ivms.DecodeOptions{})
		if err != nil {
			return in, ivmsError("beneficiary", err)
		}
		in.Beneficiary = b
	}
	return in, nil
}
