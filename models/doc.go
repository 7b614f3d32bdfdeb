// Package models is the registry of reference networks that circuits are
// compared with and injected into.
//
// It reads the JSON manifests embedded from manifests/ (one per model: file
// name, sha256 pin, input preprocessing, layer names in the Lucid style and
// as the model's own tensor names, channel counts and branch ranges of
// concatenated blocks). Adding a model is adding a manifest, not code:
// Registered adds the manifests a user put in the models folder
// (MODELS/NAME/manifest.json, written by circc models add) to the built-in
// ones, and the checker and the commands are given that Registry.
//
// It guarantees that every manifest parses (tests check the embedded files)
// and that layer lookups accept both naming schemes. It opens a model file
// only in Load, which returns exactly the bytes whose sha256 it checked.
package models
