/*
 * cfgvalue.h — a value as inih hands it from our config files (gatewayd's
 * and hsmd's), made what the operator meant.
 */
#ifndef BASE_CFGVALUE_H
#define BASE_CFGVALUE_H

/*
 * In place: '#' at the start or after a blank starts a comment (systemd
 * habit; inih knows only ';' there), a value that begins with ';' is a
 * comment too ("Key = ;x" reads back from inih as ";x"), and trailing
 * blanks go.
 */
void	cfgvalue_strip(char *v);

#endif
