/* jget.c - print one value of a JSON file: jget FILE a.b.0.c (for shell tests). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int
main(int argc, char **argv)
{
	char *cause = NULL, *text, *path, *key, *save = NULL;
	cJSON *root, *v;
	int rc = 0;

	if (argc != 3)
		return 2;
	text = file_read(argv[1], 64 << 20, NULL, &cause);
	root = text != NULL ? cJSON_Parse(text) : NULL;
	free(text);
	free(cause);
	if (root == NULL) {
		fprintf(stderr, "jget: %s: cannot read JSON\n", argv[1]);
		return 2;
	}
	v = root;
	path = xstrdup(argv[2]);
	for (key = strtok_r(path, ".", &save); key != NULL && v != NULL;
	    key = strtok_r(NULL, ".", &save))
		v = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, atoi(key)) :
		    cJSON_GetObjectItemCaseSensitive(v, key);
	free(path);
	if (v == NULL) {
		fprintf(stderr, "jget: %s: no %s\n", argv[1], argv[2]);
		rc = 1;
	} else if (cJSON_IsString(v))
		printf("%s\n", v->valuestring);
	else if (cJSON_IsNumber(v))
		printf("%.10g\n", v->valuedouble);
	else {
		char *s = cJSON_PrintUnformatted(v);

		printf("%s\n", s);
		free(s);
	}
	cJSON_Delete(root);
	return rc;
}
