package trisa

import (
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/google/uuid"
	api "github.com/trisacrypto/trisa/pkg/trisa/api/v1beta1"
	"github.com/trisacrypto/trisa/pkg/trisa/envelope"
	"github.com/trisacrypto/trisa/pkg/trisa/keys/signature"
)

// Algorithms of TRISA v1beta1 envelopes, the only ones we send or accept.
const (
	encryptionAlgorithm = "AES256-GCM"
	hmacAlgorithm       = "HMAC-SHA256"
)

// Seal makes a SecureEnvelope as TRISA v1beta1 specifies it (protocols.md B.5), through
// trisa's envelope package: the payload serialised as protobuf and encrypted with a fresh
// AES-256-GCM key (the nonce appended to the ciphertext), an HMAC-SHA256 over the ciphertext,
// and the key and HMAC secret each sealed for recipient with RSA-OAEP-SHA512. It returns the
// envelope to send and the same envelope unsealed (secrets in clear, ciphertext and HMAC
// byte-identical), which is what we keep at rest under the VASP's data key.
func Seal(id string, state api.TransferState, payload *api.Payload, recipient *rsa.PublicKey, at time.Time) (sealed, unsealed *api.SecureEnvelope, err error) {
	if recipient == nil || recipient.N == nil || recipient.N.BitLen() < minSealingBits {
		return nil, nil, fmt.Errorf("seal envelope: the recipient key must be RSA of at least %d bits", minSealingBits)
	}
	ts := envelope.WithTimestamp(at.UTC())
	env, err := envelope.New(payload, envelope.WithEnvelopeID(id), envelope.WithTransferState(state), ts)
	if err != nil {
		return nil, nil, fmt.Errorf("seal envelope: %w", err)
	}
	u, reject, err := env.Encrypt(ts)
	if err != nil {
		return nil, nil, fmt.Errorf("seal envelope: encrypt: %w", firstErr(reject, err))
	}
	s, reject, err := u.Seal(envelope.WithRSAPublicKey(recipient), ts)
	if err != nil {
		return nil, nil, fmt.Errorf("seal envelope: %w", firstErr(reject, err))
	}
	return s.Proto(), u.Proto(), nil
}

func firstErr(reject *api.Error, err error) error {
	if reject != nil {
		return reject
	}
	return err
}

// Open reverses Seal with key: it checks the envelope's shape and algorithms, that it is
// sealed for key, unseals the secrets, verifies the HMAC before decrypting, and parses the
// payload. On failure it returns the TRISA error to answer the sender with (the codes of
// protocols.md B.5: INVALID_KEY to unseal or decrypt, INVALID_SIGNATURE for the HMAC,
// ENVELOPE_DECODE_FAIL for the protobuf, UNHANDLED_ALGORITHM, VALIDATION_ERROR for the payload,
// BAD_REQUEST for a malformed envelope). The unsealed envelope is what we keep at rest.
func Open(env *api.SecureEnvelope, key *rsa.PrivateKey) (payload *api.Payload, unsealed *api.SecureEnvelope, reject *api.Error) {
	defer func() {
		// trisa's package is not ours; whatever it does with a peer's bytes, we answer.
		if r := recover(); r != nil {
			payload, unsealed, reject = nil, nil, &api.Error{Code: api.EnvelopeDecodeFail, Message: "could not open the envelope"}
		}
	}()
	if rej := checkEnvelope(env); rej != nil {
		return nil, nil, rej
	}
	if len(env.Payload) == 0 {
		return nil, nil, badRequest("the envelope carries no payload")
	}
	if !env.Sealed {
		return nil, nil, badRequest("the envelope is not sealed: its secrets must be sealed for the recipient")
	}
	if env.EncryptionAlgorithm != encryptionAlgorithm || env.HmacAlgorithm != hmacAlgorithm {
		return nil, nil, &api.Error{Code: api.UnhandledAlgorithm,
			Message: fmt.Sprintf("only %s with %s is supported", encryptionAlgorithm, hmacAlgorithm)}
	}
	if key == nil {
		return nil, nil, &api.Error{Code: api.NoSigningKey, Message: "no unsealing key", Retry: true}
	}
	if pks := env.PublicKeySignature; pks != "" {
		if ours, err := publicKeySignature(&key.PublicKey); err == nil && pks != ours {
			return nil, nil, &api.Error{Code: api.InvalidKey, Message: "the envelope is sealed for a key that is not ours: exchange keys again", Retry: true}
		}
	}
	w, err := envelope.Wrap(env)
	if err != nil {
		return nil, nil, &api.Error{Code: api.EnvelopeDecodeFail, Message: "could not read the envelope"}
	}
	u, rej, err := w.Unseal(envelope.WithRSAPrivateKey(key))
	if err != nil {
		if rej == nil {
			rej = &api.Error{Code: api.InvalidKey, Message: "could not unseal the envelope", Retry: true}
		}
		return nil, nil, rej
	}
	if n := len(u.Proto().EncryptionKey); n != 32 {
		return nil, nil, &api.Error{Code: api.InvalidKey, Message: fmt.Sprintf("the encryption key has %d bytes, AES-256 needs 32", n)}
	}
	clear, rej, err := u.Decrypt()
	if err != nil {
		if rej == nil {
			rej = &api.Error{Code: api.EnvelopeDecodeFail, Message: "could not decrypt the payload"}
		}
		return nil, nil, rej
	}
	p, err := clear.Payload()
	if err != nil || p == nil {
		return nil, nil, &api.Error{Code: api.EnvelopeDecodeFail, Message: "could not read the payload"}
	}
	return p, u.Proto(), nil
}

// checkSealedForUs checks, without opening it, that an envelope with a payload is sealed with
// TRISA's algorithms for the key whose signature is ours.
func checkSealedForUs(env *api.SecureEnvelope, ours string) *api.Error {
	if rej := checkEnvelope(env); rej != nil {
		return rej
	}
	if hasError(env) {
		return nil
	}
	if !env.Sealed {
		return badRequest("the envelope is not sealed")
	}
	if env.EncryptionAlgorithm != encryptionAlgorithm || env.HmacAlgorithm != hmacAlgorithm {
		return &api.Error{Code: api.UnhandledAlgorithm, Message: "only " + encryptionAlgorithm + " with " + hmacAlgorithm + " is supported"}
	}
	if env.PublicKeySignature != "" && env.PublicKeySignature != ours {
		return &api.Error{Code: api.InvalidKey, Message: "the envelope is sealed for a key that is not ours", Retry: true}
	}
	return nil
}

// openUnsealed decrypts an envelope we kept at rest (its secrets in clear).
func openUnsealed(env *api.SecureEnvelope) (*api.Payload, error) {
	w, err := envelope.Wrap(env)
	if err != nil {
		return nil, err
	}
	clear, _, err := w.Decrypt()
	if err != nil {
		return nil, err
	}
	return clear.Payload()
}

// checkEnvelope checks what every envelope must hold before anything else is read: a UUID id,
// an RFC 3339 timestamp, a known transfer state, and a payload with its crypto fields or a
// well-formed error.
func checkEnvelope(env *api.SecureEnvelope) *api.Error {
	if env == nil {
		return badRequest("no envelope")
	}
	if _, err := uuid.Parse(env.Id); err != nil {
		return badRequest("the envelope id must be a UUID")
	}
	if _, err := time.Parse(time.RFC3339Nano, env.Timestamp); err != nil {
		return badRequest("the envelope timestamp must be RFC 3339")
	}
	if _, ok := api.TransferState_name[int32(env.TransferState)]; !ok {
		return badRequest(fmt.Sprintf("unknown transfer state %d", int32(env.TransferState)))
	}
	if e := env.Error; e != nil && !e.IsZero() {
		if _, ok := api.Error_Code_name[int32(e.Code)]; !ok || e.Code == api.Unhandled {
			return badRequest(fmt.Sprintf("the envelope's error has no known code (%d)", int32(e.Code)))
		}
		if e.Message == "" {
			return badRequest("the envelope's error has no message")
		}
		return nil
	}
	if len(env.Payload) == 0 {
		return badRequest("the envelope has neither a payload nor an error")
	}
	if len(env.EncryptionKey) == 0 || env.EncryptionAlgorithm == "" || len(env.Hmac) == 0 || len(env.HmacSecret) == 0 || env.HmacAlgorithm == "" {
		return badRequest("the envelope lacks its encryption key, HMAC or algorithms")
	}
	return nil
}

// hasError reports whether the envelope carries an error (with or without a payload).
func hasError(env *api.SecureEnvelope) bool { return env.Error != nil && !env.Error.IsZero() }

// rejection is an error envelope: REPAIR when the sender may retry, REJECTED otherwise.
func rejection(id string, e *api.Error, at time.Time) *api.SecureEnvelope {
	state := api.TransferRejected
	if e.Retry {
		state = api.TransferRepair
	}
	return &api.SecureEnvelope{Id: id, Error: e, Timestamp: at.UTC().Format(time.RFC3339Nano), TransferState: state}
}

func badRequest(msg string) *api.Error { return &api.Error{Code: api.BadRequest, Message: msg} }

// publicKeySignature is TRISA's identifier of a sealing key: "SHA256:" and the unpadded base64
// SHA-256 of its PKIX DER form.
func publicKeySignature(pub *rsa.PublicKey) (string, error) { return signature.New(pub) }
