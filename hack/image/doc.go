// Package image checks gitwave's Dockerfile where no image can be built
// in a test's time: it runs the build stage's commands on the host and
// checks what they produce, and checks the runtime stage's settings.
// hack/image/build.sh (`make image`) builds the real image with buildah.
package image
