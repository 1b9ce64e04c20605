/* `slipway init DIR`: templates for a first night (init.c). */
#ifndef ENG_INIT_H
#define ENG_INIT_H

/* Write the templates into DIR (which must not exist). Exit code: 0, 1 I/O, 2 DIR exists. */
int eng_init_main(const char *dir, int quiet);

#endif
