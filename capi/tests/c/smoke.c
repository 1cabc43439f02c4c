/* A C embedder of syncdoctor: load the bundled knowledge base, evaluate a snapshot file and
 * the same snapshot as text, check a bad snapshot's located error, free everything.
 *
 *   smoke SNAPSHOT.json   prints the report of SNAPSHOT.json to stdout, then "---", then the
 *                         error message of a malformed snapshot; exit 0 when every check held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syncdoctor.h"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (text && fread(text, 1, (size_t)size, f) != (size_t)size) { free(text); text = NULL; }
    if (text) text[size] = '\0';
    fclose(f);
    return text;
}

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "smoke: " __VA_ARGS__); fputc('\n', stderr); return 1; } } while (0)

int main(int argc, char **argv) {
    CHECK(argc == 2, "usage: smoke SNAPSHOT.json");
    char *error = NULL;

    SyncdoctorKb *kb = syncdoctor_kb_load(NULL, &error);
    CHECK(kb != NULL, "load failed: %s", error ? error : "?");
    CHECK(error == NULL, "error set on success");

    char *version = syncdoctor_kb_version(kb);
    CHECK(version != NULL && version[0] != '\0', "no kb version");
    fprintf(stderr, "smoke: knowledge base %s, engine %s\n", version, syncdoctor_engine_version());
    syncdoctor_string_free(version);

    char *report = syncdoctor_evaluate_file(kb, argv[1], 0, &error);
    CHECK(report != NULL, "evaluate_file failed: %s", error ? error : "?");

    /* The same snapshot as text gives the same report. */
    char *text = read_file(argv[1]);
    CHECK(text != NULL, "cannot read %s", argv[1]);
    char *again = syncdoctor_evaluate_json(kb, text, 0, &error);
    CHECK(again != NULL, "evaluate_json failed: %s", error ? error : "?");
    CHECK(strcmp(report, again) == 0, "text and file reports differ");
    free(text);
    syncdoctor_string_free(again);

    /* --all reports more findings than the default. */
    char *all = syncdoctor_evaluate_file(kb, argv[1], SYNCDOCTOR_ALL, NULL);
    CHECK(all != NULL && strlen(all) > strlen(report), "SYNCDOCTOR_ALL reports no more");
    syncdoctor_string_free(all);

    /* Unknown flags and a malformed snapshot are errors, not crashes. */
    CHECK(syncdoctor_evaluate_json(kb, "{}", 0x80, NULL) == NULL, "unknown flags accepted");
    char *bad = syncdoctor_evaluate_json(kb, "{\n  \"schema_version\": 1,\n  \"facts\": [}", 0, &error);
    CHECK(bad == NULL, "a malformed snapshot was evaluated");
    CHECK(error != NULL, "no error message");

    fputs(report, stdout);
    fputs("---\n", stdout);
    fputs(error, stdout);
    fputc('\n', stdout);
    syncdoctor_string_free(error);
    syncdoctor_string_free(report);

    /* A folder that is not a knowledge base. */
    error = NULL;
    CHECK(syncdoctor_kb_load("/nonexistent/rules", &error) == NULL, "loaded a missing folder");
    CHECK(error != NULL && strstr(error, "/nonexistent/rules") != NULL, "error does not name the folder: %s", error ? error : "(null)");
    syncdoctor_string_free(error);

    syncdoctor_kb_free(kb);
    return 0;
}
