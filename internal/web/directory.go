package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/waybill/waybill/internal/counterparty"
	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/vasp"
)

// counterpartiesView is the directory page.
type counterpartiesView struct {
	Items []counterparty.Counterparty
	Next  string
	Q     string
}

func (h *Handler) counterparties(c *call) error {
	q := strings.ToLower(strings.TrimSpace(c.r.URL.Query().Get("q")))
	v := &counterpartiesView{Q: q}
	if q != "" {
		err := h.eachCounterparty(c, func(cp *counterparty.Counterparty) {
			if len(v.Items) < pageSize && (strings.Contains(strings.ToLower(cp.Name), q) || strings.EqualFold(cp.LEI, q)) {
				v.Items = append(v.Items, *cp)
			}
		})
		if err != nil {
			return err
		}
	} else {
		list, err := h.st.Read().ListCounterparties(c.ctx(), c.vaspID(), cursor(c.r), pageSize)
		if err != nil {
			return err
		}
		v.Items = list
		if len(list) == pageSize {
			v.Next = list[len(list)-1].ID
		}
	}
	c.render(http.StatusOK, "counterparties", "Counterparties", "counterparties", v)
	return nil
}

func cursor(r *http.Request) string {
	if s := r.URL.Query().Get("cursor"); len(s) <= 64 {
		return s
	}
	return ""
}

// counterpartyView is a directory entry's page and form.
type counterpartyView struct {
	CP      *counterparty.Counterparty
	New     bool
	Waiting int
}

func (h *Handler) newCounterparty(c *call) error {
	c.render(http.StatusOK, "counterparty", "New counterparty", "counterparties",
		&counterpartyView{CP: &counterparty.Counterparty{Standing: counterparty.StandingUnknown}, New: true})
	return nil
}

func (h *Handler) counterpartyPage(c *call) error {
	cp, err := h.st.Read().GetCounterparty(c.ctx(), c.vaspID(), c.r.PathValue("id"))
	if err != nil {
		return err
	}
	waiting, err := h.st.Read().ListAwaitingRoute(c.ctx(), c.vaspID(), cp.ID, 1000)
	if err != nil {
		return err
	}
	c.render(http.StatusOK, "counterparty", cp.Name, "counterparties", &counterpartyView{CP: cp, Waiting: len(waiting)})
	return nil
}

func counterpartyInput(r *http.Request) engine.CounterpartyInput {
	f := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	in := engine.CounterpartyInput{Name: f("name"), LEI: f("lei"), Country: f("country"), Jurisdiction: f("jurisdiction"),
		Website: f("website"), Standing: counterparty.Standing(f("standing"))}
	in.Routes.Email, in.Routes.Preferred = f("email"), f("preferred")
	if u, ta := f("trp_url"), f("trp_travel_address"); u != "" || ta != "" {
		in.Routes.TRP = &counterparty.TRP{URL: u, TravelAddress: ta, APIVersion: f("trp_api_version")}
	}
	if ep, cn, pem := f("trisa_endpoint"), f("trisa_common_name"), f("trisa_cert_pem"); ep != "" || cn != "" || pem != "" {
		in.Routes.TRISA = &counterparty.TRISA{Endpoint: ep, CommonName: cn, CertPEM: pem}
	}
	return in
}

func (h *Handler) createCounterparty(c *call) error {
	cp, err := h.eng.CreateCounterparty(c.ctx(), c.actor(), c.vaspID(), counterpartyInput(c.r))
	if err != nil {
		return c.done(err, Prefix+"counterparties/new", "")
	}
	return c.done(nil, Prefix+"counterparties/"+cp.ID, "Counterparty added.")
}

func (h *Handler) updateCounterparty(c *call) error {
	id := c.r.PathValue("id")
	in := counterpartyInput(c.r)
	if old, err := h.st.Read().GetCounterparty(c.ctx(), c.vaspID(), id); err != nil {
		return err
	} else if old.Hosted() {
		// A hosted VASP's identity comes from the node; only its standing is the VASP's call.
		in = engine.CounterpartyInput{Name: old.Name, LEI: old.LEI, Country: old.Country, Jurisdiction: old.Jurisdiction,
			Website: old.Website, Standing: in.Standing, Routes: old.Routes}
	}
	_, err := h.eng.UpdateCounterparty(c.ctx(), c.actor(), c.vaspID(), id, in)
	return c.done(err, Prefix+"counterparties/"+id, "Counterparty saved.")
}

func (h *Handler) deleteCounterparty(c *call) error {
	id := c.r.PathValue("id")
	cp, err := h.st.Read().GetCounterparty(c.ctx(), c.vaspID(), id)
	if err != nil {
		return err
	}
	if c.r.PostFormValue("confirmed") != "yes" {
		c.render(http.StatusOK, "confirm", "Confirm: delete", "counterparties", confirmView{Action: "Delete",
			PostTo: Prefix + "counterparties/" + id + "/delete", Back: Prefix + "counterparties/" + id,
			Question: "Delete " + cp.Name + " from the directory?"})
		return nil
	}
	err = h.eng.DeleteCounterparty(c.ctx(), c.actor(), c.vaspID(), id)
	if err != nil {
		return c.done(err, Prefix+"counterparties/"+id, "")
	}
	return c.done(nil, Prefix+"counterparties", "Counterparty deleted.")
}

// walletsView is the address book page.
type walletsView struct {
	Items    []vasp.Wallet
	Next     string
	Networks []string
	Import   *engine.ImportResult
}

func (h *Handler) networks(c *call) []string {
	assets, err := h.st.Read().ListAssets(c.ctx())
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, a := range assets {
		if !seen[a.Network] {
			seen[a.Network] = true
			out = append(out, a.Network)
		}
	}
	return out
}

func (h *Handler) wallets(c *call) error {
	list, err := h.st.Read().ListWallets(c.ctx(), c.vaspID(), cursor(c.r), pageSize)
	if err != nil {
		return err
	}
	v := &walletsView{Items: list, Networks: h.networks(c)}
	if len(list) == pageSize {
		v.Next = list[len(list)-1].ID
	}
	c.render(http.StatusOK, "wallets", "Wallets", "wallets", v)
	return nil
}

func (h *Handler) createWallet(c *call) error {
	f := func(name string) string { return strings.TrimSpace(c.r.PostFormValue(name)) }
	_, err := h.eng.CreateWallet(c.ctx(), c.actor(), c.vaspID(), engine.WalletInput{Network: f("network"), Address: f("address"),
		Memo: f("memo"), CustomerRef: f("customer_ref"), CustomerName: f("customer_name")})
	return c.done(err, Prefix+"wallets", "Address added.")
}

// importWallets adds the addresses of an uploaded CSV file and shows what it did.
func (h *Handler) importWallets(c *call) error {
	file, _, err := c.r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return badRequest("The file is larger than 64 MiB: import it with `waybill wallet import`.")
		}
		return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: "file", Message: "choose a CSV file"}}}, Prefix+"wallets", "")
	}
	defer file.Close()
	res, err := h.eng.ImportWallets(c.ctx(), c.actor(), c.vaspID(), file, nil)
	if err != nil && res == nil {
		return c.done(err, Prefix+"wallets", "")
	}
	list, lerr := h.st.Read().ListWallets(c.ctx(), c.vaspID(), "", pageSize)
	if lerr != nil {
		return lerr
	}
	v := &walletsView{Items: list, Networks: h.networks(c), Import: res}
	status := http.StatusOK
	if err != nil {
		status = http.StatusUnprocessableEntity
	}
	c.render(status, "wallets", "Wallets", "wallets", v)
	return nil
}

func (h *Handler) deleteWallet(c *call) error {
	id := c.r.PathValue("id")
	w, _, err := h.st.Read().GetWallet(c.ctx(), c.vaspID(), id)
	if err != nil {
		return err
	}
	if c.r.PostFormValue("confirmed") != "yes" {
		c.render(http.StatusOK, "confirm", "Confirm: delete", "wallets", confirmView{Action: "Delete",
			PostTo: Prefix + "wallets/" + id + "/delete", Back: Prefix + "wallets",
			Question: "Remove " + w.Network + " address " + w.Address + " from the address book?"})
		return nil
	}
	return c.done(h.eng.DeleteWallet(c.ctx(), c.actor(), c.vaspID(), id), Prefix+"wallets", "Address removed.")
}
