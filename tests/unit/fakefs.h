/* Fake /sys and /proc trees for the unit tests of readers that take a root
 * folder (burn-in health, lib's readers). */
#ifndef VMTRIAGE_TEST_FAKEFS_H
#define VMTRIAGE_TEST_FAKEFS_H

/* Writes text to root/path ("/sys/class/hwmon/hwmon0/name"), making the
 * folders on the way; fails the test if the file cannot be written. */
void fakefs_put(const char *root, const char *path, const char *text);

#endif
