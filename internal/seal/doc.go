// Package seal makes and checks the signed code printed on every
// attestation, so that anyone can check an attestation with a phone
// while the portal is down (design principle 4).
//
// A code is the attestation's essential data (Claims) as a CBOR map with
// small integer keys, compressed with zlib, signed as a COSE_Sign1
// message with ES256, encoded in base45 and prefixed with "SJ1:". The
// format is specified in docs/attestation-format.md, for independent
// verifiers.
//
// Signing keys live in the database, shared by every instance of the
// portal (Shared, through the KeyStore it declares), their private halves
// sealed with a key-encryption key the database never sees: the newest
// key signs, older keys stay so that the codes they signed still verify,
// and every public key is published as a JWK Set. Verify checks a code
// against any KeySource: the server's Shared keyring, a Keyring, or a
// KeySet saved by an offline verifier. What a signature cannot say (that an attestation was revoked
// or replaced by a newer version) is for the online check, outside this
// package.
package seal
