// jsdom does not implement scrolling; TanStack Router's scroll restoration calls it.
window.scrollTo = () => {};
