// Package attest produces the documents sejour hands to people as proof,
// as bilingual PDFs: the filing receipt (attestation de dépôt), issued at
// once when an application is submitted, and the extension and
// favourable-decision attestations, with their rights and signed QR code.
//
// A document is made in two steps. The caller resolves everything it
// shows into a plain value (a Receipt or a Document), from the store and the rules
// catalogue; this package then renders that value with no database, no
// clock and no randomness, so the same value always gives the same bytes
// and a document can be issued again identical to the original.
//
// The PDFs are printed in French and English, side by side, whatever the
// reader's language: French because it is the language of the law and of
// the prefecture, English because the officials, employers and foreign
// authorities who check them read it. So this package reads the "fr" and
// "en" entries of catalogue texts and translations by name, and it stays
// so when the portal offers another language: a third language on a
// document is a change of its layout and of what it legally says, to
// decide with the prefecture, not data to add.
//
// A filing receipt proves that an application was filed, not that its
// holder's stay is lawful, and the law requires it to say so: the PDF
// prints that warning in a frame at the top of the first page, with the
// day the prefecture's silence becomes an implicit rejection.
package attest
