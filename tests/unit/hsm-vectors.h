/*
 * hsm-vectors.h — public vectors (payment-crypto-vectors.md section 2)
 * that more than one suite checks: against the library in
 * check_hsm_crypto.c and through the real hsmd in check_hsmd_vectors.c.
 */
#ifndef TESTS_HSM_VECTORS_H
#define TESTS_HSM_VECTORS_H

/* CVV under the CVK K0 (0123456789ABCDEFFEDCBA9876543210). */
static const struct cvv_vector {
	const char	*pan, *exp, *svc, *cvv;
} cvv_vectors[] = {
	{ "4123456789012345", "8701", "101", "561" },	/* CVV-1 */
	{ "4999988887777", "9105", "111", "649" },	/* CVV-2 */
	{ "1234567890123456", "9912", "220", "170" },	/* CVV-3 */
	{ "4123456789012345", "8701", "000", "636" },	/* CVV-4 */
};

#define CVV_VECTORS	(sizeof cvv_vectors / sizeof cvv_vectors[0])

#endif
