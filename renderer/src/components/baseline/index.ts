export { default as BaselineNotices } from './BaselineNotices.svelte';
export { default as BaselinePicker } from './BaselinePicker.svelte';
export { default as BaselinePin } from './BaselinePin.svelte';
