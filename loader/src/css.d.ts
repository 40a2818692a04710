/** `*.css` imports are minified CSS text (loader/build.ts), adopted as constructed stylesheets. */
declare module '*.css' {
  const css: string;
  export default css;
}
