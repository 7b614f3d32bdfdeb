// Package models is the registry of reference networks that circuits are
// compared with and injected into.
//
// It reads the JSON manifests embedded from manifests/ (one per model: file
// name, sha256 pin, input preprocessing, layer names in the Lucid style and
// as the model's own tensor names, channel counts and branch ranges of
// concatenated blocks). Adding a model is adding a manifest, not code.
//
// It guarantees that every manifest parses (tests check the embedded files)
// and that layer lookups accept both naming schemes. It never opens the model
// file itself.
package models
