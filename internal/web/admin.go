package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waybill/waybill/internal/engine"
	"github.com/waybill/waybill/internal/store"
	"github.com/waybill/waybill/internal/vasp"
	"github.com/waybill/waybill/internal/webhook"
)

// webhooksView is the list of a VASP's endpoints.
type webhooksView struct {
	Items  []store.WebhookEndpoint
	Events []string
}

func (h *Handler) webhooks(c *call) error {
	list, err := h.st.Read().ListEndpoints(c.ctx(), c.vaspID())
	if err != nil {
		return err
	}
	c.render(http.StatusOK, "webhooks", "Webhooks", "webhooks", &webhooksView{Items: list, Events: webhook.EventTypes})
	return nil
}

func endpointInput(r *http.Request) engine.EndpointInput {
	in := engine.EndpointInput{URL: strings.TrimSpace(r.PostFormValue("url")), Description: strings.TrimSpace(r.PostFormValue("description"))}
	for _, e := range r.PostForm["events"] {
		if e = strings.TrimSpace(e); e != "" {
			in.Events = append(in.Events, e)
		}
	}
	enabled := r.PostFormValue("enabled") == "on" || r.PostFormValue("enabled") == "true"
	in.Enabled = &enabled
	return in
}

// secretView shows a secret once: a new API key or webhook signing secret.
type secretView struct {
	What    string
	Name    string
	Secrets []webhook.Secret
	Secret  string
	Back    string
}

func (h *Handler) createWebhook(c *call) error {
	in := endpointInput(c.r)
	ep, err := h.eng.CreateEndpoint(c.ctx(), c.actor(), c.vaspID(), in, h.rand)
	if err != nil {
		return c.done(err, Prefix+"webhooks", "")
	}
	c.render(http.StatusCreated, "secret", "Webhook endpoint added", "webhooks", &secretView{What: "signing secret",
		Name: ep.URL, Secret: ep.Secret, Back: Prefix + "webhooks/" + ep.ID})
	return nil
}

// webhookView is one endpoint with its deliveries.
type webhookView struct {
	EP         *store.WebhookEndpoint
	Deliveries []store.Delivery
	Events     []string
	State      string
	Next       string
}

func (h *Handler) webhookPage(c *call) error {
	id := c.r.PathValue("id")
	ep, err := h.st.Read().GetEndpoint(c.ctx(), c.vaspID(), id)
	if err != nil {
		return err
	}
	state := c.r.URL.Query().Get("state")
	switch state {
	case store.DeliveryPending, store.DeliveryDelivered, store.DeliveryFailing, store.DeliveryDead:
	default:
		state = ""
	}
	list, err := h.st.Read().ListDeliveries(c.ctx(), store.DeliveryFilter{VASPID: c.vaspID(), EndpointID: id, State: state,
		After: cursor(c.r), Limit: 50})
	if err != nil {
		return err
	}
	v := &webhookView{EP: ep, Deliveries: list, Events: webhook.EventTypes, State: state}
	if len(list) == 50 {
		v.Next = list[len(list)-1].ID
	}
	c.render(http.StatusOK, "webhook", "Webhook endpoint", "webhooks", v)
	return nil
}

func (h *Handler) updateWebhook(c *call) error {
	id := c.r.PathValue("id")
	_, err := h.eng.UpdateEndpoint(c.ctx(), c.actor(), c.vaspID(), id, endpointInput(c.r))
	return c.done(err, Prefix+"webhooks/"+id, "Endpoint saved.")
}

func (h *Handler) revealSecrets(c *call) error {
	id := c.r.PathValue("id")
	ep, err := h.st.Read().GetEndpoint(c.ctx(), c.vaspID(), id)
	if err != nil {
		return err
	}
	secrets, err := h.eng.WebhookSecrets(c.ctx(), ep)
	if err != nil {
		return err
	}
	c.render(http.StatusOK, "secret", "Signing secrets", "webhooks", &secretView{What: "signing secrets", Name: ep.URL,
		Secrets: secrets, Back: Prefix + "webhooks/" + id})
	return nil
}

func (h *Handler) rotateSecret(c *call) error {
	id := c.r.PathValue("id")
	hours, err := strconv.Atoi(strings.TrimSpace(c.r.PostFormValue("grace_hours")))
	if err != nil || hours < 0 || hours > 24*30 {
		return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: "grace_hours", Message: "give 0 to 720 hours"}}},
			Prefix+"webhooks/"+id, "")
	}
	ep, err := h.eng.RotateSecret(c.ctx(), c.actor(), c.vaspID(), id, time.Duration(hours)*time.Hour, h.rand)
	if err != nil {
		return c.done(err, Prefix+"webhooks/"+id, "")
	}
	c.render(http.StatusOK, "secret", "New signing secret", "webhooks", &secretView{What: "new signing secret", Name: ep.URL,
		Secret: ep.Secret, Back: Prefix + "webhooks/" + id})
	return nil
}

func (h *Handler) deleteWebhook(c *call) error {
	id := c.r.PathValue("id")
	ep, err := h.st.Read().GetEndpoint(c.ctx(), c.vaspID(), id)
	if err != nil {
		return err
	}
	if c.r.PostFormValue("confirmed") != "yes" {
		c.render(http.StatusOK, "confirm", "Confirm: delete", "webhooks", confirmView{Action: "Delete",
			PostTo: Prefix + "webhooks/" + id + "/delete", Back: Prefix + "webhooks/" + id,
			Question: "Delete the endpoint " + ep.URL + " and its deliveries?"})
		return nil
	}
	if err := h.eng.DeleteEndpoint(c.ctx(), c.actor(), c.vaspID(), id); err != nil {
		return c.done(err, Prefix+"webhooks/"+id, "")
	}
	return c.done(nil, Prefix+"webhooks", "Endpoint deleted.")
}

func (h *Handler) redeliver(c *call) error {
	id, did := c.r.PathValue("id"), c.r.PathValue("delivery")
	d, err := h.st.Read().GetDelivery(c.ctx(), c.vaspID(), did)
	if err != nil {
		return err
	}
	if d.EndpointID != id {
		return notFound()
	}
	_, err = h.eng.Redeliver(c.ctx(), c.actor(), c.vaspID(), did)
	return c.done(err, Prefix+"webhooks/"+id, "Delivery queued again.")
}

// settingsView is the VASP's settings form.
type settingsView struct {
	S            vasp.Settings
	ExpiryHours  float64
	MatchHours   float64
	Jurisdiction string
}

func (h *Handler) settingsPage(c *call) error {
	s := c.vasp.Settings
	c.render(http.StatusOK, "settings", "Settings", "settings", &settingsView{S: s, ExpiryHours: s.Expiry().Hours(),
		MatchHours: s.DepositMatchWindow().Hours(), Jurisdiction: c.vasp.Jurisdiction})
	return nil
}

func (h *Handler) saveSettings(c *call) error {
	s := c.vasp.Settings
	s.OutgoingAction, s.IncomingAction = c.r.PostFormValue("outgoing_action"), c.r.PostFormValue("incoming_action")
	exp, err1 := strconv.ParseFloat(c.r.PostFormValue("expiry_hours"), 64)
	match, err2 := strconv.ParseFloat(c.r.PostFormValue("match_hours"), 64)
	if err1 != nil || err2 != nil || exp <= 0 || match <= 0 || exp > 24*365 || match > 24*365 {
		return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: "hours", Message: "give positive numbers of hours (at most a year)"}}},
			Prefix+"settings", "")
	}
	s.ExpirySeconds, s.DepositMatchSeconds = int64(exp*3600), int64(match*3600)
	_, err := h.eng.UpdateSettings(c.ctx(), c.actor(), c.vaspID(), s)
	return c.done(err, Prefix+"settings", "Settings saved.")
}

// usersView is the user administration page.
type usersView struct {
	Items  []userRow
	Roles  []string
	Failed map[string]bool
}

type userRow struct {
	store.User
	VASPName string
	Locked   bool
	Editable bool
	Self     bool
}

// manageable reports whether the signed-in person may change u: operators change anyone, admins
// their own VASP's users short of operators.
func (c *call) manageable(u *store.User) bool {
	if c.user.Role == store.RoleOperator {
		return true
	}
	return u.VASPID == c.user.VASPID && u.Role != store.RoleOperator
}

func (h *Handler) users(c *call) error {
	// Operators see the users of the VASP they work on, and every operator.
	list, err := h.st.Read().ListUsers(c.ctx(), c.vaspID())
	if err != nil {
		return err
	}
	if c.user.Role == store.RoleOperator {
		all, err := h.st.Read().ListUsers(c.ctx(), "")
		if err != nil {
			return err
		}
		for _, u := range all {
			if u.Role == store.RoleOperator {
				list = append(list, u)
			}
		}
	}
	v := &usersView{Roles: []string{store.RoleViewer, store.RoleOfficer, store.RoleAdmin}}
	if c.user.Role == store.RoleOperator {
		v.Roles = append(v.Roles, store.RoleOperator)
	}
	now := h.now()
	for _, u := range list {
		until, err := h.st.Read().SignInLockedUntil(c.ctx(), u.Email)
		if err != nil {
			return err
		}
		r := userRow{User: u, Locked: now.Before(until), Editable: c.manageable(&u), Self: u.ID == c.user.ID}
		if u.VASPID == "" {
			r.VASPName = "all VASPs"
		} else if c.vasp != nil && u.VASPID == c.vasp.ID {
			r.VASPName = c.vasp.Name
		}
		v.Items = append(v.Items, r)
	}
	c.render(http.StatusOK, "users", "Users", "users", v)
	return nil
}

func (h *Handler) createUser(c *call) error {
	f := func(name string) string { return strings.TrimSpace(c.r.PostFormValue(name)) }
	role, password := f("role"), c.r.PostFormValue("password")
	if role == store.RoleOperator && c.user.Role != store.RoleOperator {
		return &httpError{status: http.StatusForbidden, msg: "Only an operator can create operators."}
	}
	if err := CheckPassword(password); err != nil {
		return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: "password", Message: err.Error()}}}, Prefix+"users", "")
	}
	hash, err := HashPassword(password, h.cfg.Password, h.rand)
	if err != nil {
		return err
	}
	vaspID := c.vaspID()
	if role == store.RoleOperator {
		vaspID = ""
	}
	_, err = h.eng.CreateUser(c.ctx(), c.actor(), engine.NewUser{VASPID: vaspID, Email: f("email"), Name: f("name"), Role: role,
		PasswordHash: hash})
	return c.done(err, Prefix+"users", "User created: they can sign in now.")
}

// updateUser changes a user's role, access or password, or lifts a sign-in lock.
func (h *Handler) updateUser(c *call) error {
	u, err := h.st.Read().GetUser(c.ctx(), c.r.PathValue("id"))
	if err != nil {
		return err
	}
	if !c.manageable(u) {
		return notFound()
	}
	back := Prefix + "users"
	var in engine.UserUpdate
	switch op := c.r.PostFormValue("op"); op {
	case "role":
		role := c.r.PostFormValue("role")
		if u.ID == c.user.ID {
			return c.done(&engine.ConflictError{Msg: "you cannot change your own role"}, back, "")
		}
		in.Role = &role
	case "disable", "enable":
		if u.ID == c.user.ID {
			return c.done(&engine.ConflictError{Msg: "you cannot disable yourself"}, back, "")
		}
		d := op == "disable"
		in.Disabled = &d
	case "password":
		pw := c.r.PostFormValue("password")
		if err := CheckPassword(pw); err != nil {
			return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: "password", Message: err.Error()}}}, back, "")
		}
		hash, err := HashPassword(pw, h.cfg.Password, h.rand)
		if err != nil {
			return err
		}
		in.PasswordHash = &hash
	case "unlock":
		err := h.st.InTx(c.ctx(), func(tx store.Tx) error { return tx.ClearSignInFailures(c.ctx(), u.Email) })
		return c.done(err, back, "Sign-in unlocked.")
	default:
		return badRequest("unknown change")
	}
	_, err = h.eng.UpdateUser(c.ctx(), c.actor(), u.ID, in)
	return c.done(err, back, "User saved.")
}

// accountView is the signed-in person's own page.
type accountView struct{}

func (h *Handler) accountPage(c *call) error {
	c.render(http.StatusOK, "account", "Your account", "account", &accountView{})
	return nil
}

func (h *Handler) changePassword(c *call) error {
	back := Prefix + "account"
	if !VerifyPassword(c.user.PasswordHash, c.r.PostFormValue("current")) {
		return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: "current", Message: "the current password is wrong"}}}, back, "")
	}
	pw := c.r.PostFormValue("password")
	if pw != c.r.PostFormValue("repeat") {
		return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: "repeat", Message: "the two new passwords differ"}}}, back, "")
	}
	if err := CheckPassword(pw); err != nil {
		return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: "password", Message: err.Error()}}}, back, "")
	}
	hash, err := HashPassword(pw, h.cfg.Password, h.rand)
	if err != nil {
		return err
	}
	_, err = h.eng.UpdateUser(c.ctx(), c.actor(), c.user.ID, engine.UserUpdate{PasswordHash: &hash, KeepSession: c.sess.ID})
	return c.done(err, back, "Password changed; your other sessions were signed out.")
}

// keysView lists the VASP's API keys.
type keysView struct {
	Items []store.APIKey
}

func (h *Handler) keys(c *call) error {
	list, err := h.st.Read().ListAPIKeys(c.ctx(), c.vaspID())
	if err != nil {
		return err
	}
	c.render(http.StatusOK, "keys", "API keys", "keys", &keysView{Items: list})
	return nil
}

func (h *Handler) createKey(c *call) error {
	name := strings.TrimSpace(c.r.PostFormValue("name"))
	if name == "" || len(name) > 100 {
		return c.done(&engine.ValidationError{Fields: []engine.FieldError{{Path: "name", Message: "give the key a name (at most 100 characters)"}}},
			Prefix+"keys", "")
	}
	k, err := h.eng.CreateAPIKey(c.ctx(), c.actor(), c.vaspID(), name, h.rand)
	if err != nil {
		return c.done(err, Prefix+"keys", "")
	}
	c.render(http.StatusCreated, "secret", "API key created", "keys", &secretView{What: "API key", Name: k.Name, Secret: k.Secret,
		Back: Prefix + "keys"})
	return nil
}

func (h *Handler) revokeKey(c *call) error {
	id := c.r.PathValue("id")
	if c.r.PostFormValue("confirmed") != "yes" {
		c.render(http.StatusOK, "confirm", "Confirm: revoke", "keys", confirmView{Action: "Revoke",
			PostTo: Prefix + "keys/" + id + "/revoke", Back: Prefix + "keys",
			Question: "Revoke this API key? The backend using it will be refused at once."})
		return nil
	}
	err := h.eng.RevokeAPIKey(c.ctx(), c.actor(), c.vaspID(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound()
	}
	return c.done(err, Prefix+"keys", "Key revoked.")
}
